package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.os.Platform;
import io.github.multiprocessing4j.internal.shm.SegmentSpace;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM: the same {@code java}, the class path it is given
 * ({@link ChildClassPath}), this JVM's module path, lean default options, the caller's options,
 * and {@link ChildMain}.
 *
 * <p>Implementation notes. When this library runs as a named module, the child starts it as a
 * module too, with the parent's module path (every entry made absolute, as the class path's are,
 * so that a child with another working directory finds them) and every module on it resolved, so
 * that targets from other modules can be deserialized.
 *
 * <p>Class paths made of jars also get an application class-data archive
 * ({@link ClassDataSharing}), which shortens every start after the first.
 *
 * <p>Default options favour what a child is for: start fast and stay small. The serial
 * collector needs the least memory and starts fastest on small heaps. Options given by the
 * caller come after them, so they win ({@code -XX:+UseG1GC} overrides the collector).
 */
public final class ChildCommand {
    /** Options every child gets before the caller's. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final List<String> line;
    private final List<String> lineWithoutSharing;
    private final ClassDataSharing.Plan sharing;

    private ChildCommand(List<String> line, List<String> lineWithoutSharing, ClassDataSharing.Plan sharing) {
        this.line = List.copyOf(line);
        this.lineWithoutSharing = List.copyOf(lineWithoutSharing);
        this.sharing = sharing;
    }

    /**
     * Builds the command line of a child that reads its bootstrap message at once.
     *
     * @param classPath the child's class path, absolute ({@link ChildClassPath#resolve})
     * @param jvmOptions the caller's options, placed after the defaults
     * @param processName shown as a system property so that {@code ps} tells children apart
     * @return the command that starts the child
     */
    public static ChildCommand build(String classPath, List<String> jvmOptions, String processName) {
        return build(classPath, jvmOptions, processName, List.of());
    }

    /**
     * Builds the command line of a spare: a child that prepares, then waits for its message.
     *
     * @param classPath the spare's class path, absolute ({@link ChildClassPath#resolve})
     * @param jvmOptions the caller's options, placed after the defaults
     * @param firstClass a class the spare loads ahead (see {@link ChildMain#prepareSpare}), or null
     * @param warmUpClasses classes the spare initialises ahead, by name
     * @return the command of a spare JVM (a child that waits for its message) with the caller's options
     */
    public static ChildCommand buildSpare(String classPath, List<String> jvmOptions, String firstClass,
                                          List<String> warmUpClasses) {
        List<String> properties = new ArrayList<>();
        properties.add("-D" + ChildMain.SPARE_PROPERTY + "=true");
        if (firstClass != null) {
            properties.add("-D" + ChildMain.FIRST_CLASS_PROPERTY + "=" + firstClass);
        }
        if (!warmUpClasses.isEmpty()) {
            properties.add("-D" + ChildMain.WARM_UP_PROPERTY + "=" + String.join(",", warmUpClasses));
        }
        return build(classPath, jvmOptions, "spare", properties);
    }

    private static ChildCommand build(String classPath, List<String> jvmOptions, String processName,
                                      List<String> properties) {
        List<String> options = new ArrayList<>(DEFAULT_JVM_OPTIONS);
        options.addAll(jvmOptions);
        Module module = ChildMain.class.getModule();
        String modulePath = ChildClassPath.absolute(System.getProperty("jdk.module.path", ""));
        boolean asModule = module.isNamed() && !modulePath.isEmpty();
        ClassDataSharing.Plan sharing = asModule ? ClassDataSharing.plan("", options)
                : ClassDataSharing.plan(classPath, options);

        List<String> tail = new ArrayList<>();
        tail.add("-Dmp4j.name=" + processName);
        for (String shared : new String[] {Platform.SHM_DIR_PROPERTY, SegmentSpace.SPILL_DIR_PROPERTY}) {
            String value = System.getProperty(shared); // where the tree's files are: every process must agree
            if (value != null && !value.isEmpty()) {
                tail.add("-D" + shared + "=" + value);
            }
        }
        tail.addAll(properties);
        if (!classPath.isEmpty()) {
            tail.add("-cp");
            tail.add(classPath);
        }
        if (asModule) {
            tail.addAll(List.of("--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH",
                    "-m", module.getName() + "/" + ChildMain.class.getName()));
        } else {
            tail.add(ChildMain.class.getName());
        }
        List<String> plain = new ArrayList<>();
        plain.add(javaExecutable());
        plain.addAll(options);
        List<String> shared = new ArrayList<>(plain);
        shared.addAll(sharing.options());
        plain.addAll(tail);
        shared.addAll(tail);
        return new ChildCommand(shared, plain, sharing);
    }

    /** @return the command line */
    public List<String> line() {
        return line;
    }

    /** @return the command line without class-data-sharing options, to rerun a child that failed to boot */
    public List<String> lineWithoutSharing() {
        return lineWithoutSharing;
    }

    /** To call once the child has exited: finishes what class-data sharing started with it. */
    public void childExited() {
        sharing.childExited();
    }

    private static String javaExecutable() {
        Path home = Path.of(System.getProperty("java.home"));
        Path java = home.resolve("bin").resolve(File.separatorChar == '\\' ? "java.exe" : "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }
}
