package io.github.multiprocessing4j.internal.launch;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM: the same {@code java}, the same class path and module path
 * as this JVM, lean default options, the caller's options, and {@link ChildMain}.
 *
 * <p>Implementation notes. The class path is passed on as it is, which also works under Maven
 * Surefire's manifest-only jar (the JVM reads the jar's {@code Class-Path} manifest attribute).
 * When this library runs as a named module, the child starts it as a module too, with the
 * parent's module path and every module on it resolved, so that targets from other modules can
 * be deserialized.
 *
 * <p>Default options favour what a child is for: start fast and stay small. The serial
 * collector needs the least memory and starts fastest on small heaps. Options given by the
 * caller come after them, so they win ({@code -XX:+UseG1GC} overrides the collector).
 */
public final class ChildCommand {
    /** Options every child gets before the caller's. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private ChildCommand() {
    }

    /**
     * @param jvmOptions the caller's options, placed after the defaults
     * @param processName shown as a system property so that {@code ps} tells children apart
     * @return the complete command line
     */
    public static List<String> build(List<String> jvmOptions, String processName) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(DEFAULT_JVM_OPTIONS);
        command.addAll(jvmOptions);
        command.add("-Dmp4j.name=" + processName);
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.isEmpty()) {
            command.add("-cp");
            command.add(classPath);
        }
        Module module = ChildMain.class.getModule();
        String modulePath = System.getProperty("jdk.module.path", "");
        if (module.isNamed() && !modulePath.isEmpty()) {
            command.add("--module-path");
            command.add(modulePath);
            command.add("--add-modules");
            command.add("ALL-MODULE-PATH");
            command.add("-m");
            command.add(module.getName() + "/" + ChildMain.class.getName());
        } else {
            command.add(ChildMain.class.getName());
        }
        return command;
    }

    private static String javaExecutable() {
        Path home = Path.of(System.getProperty("java.home"));
        Path java = home.resolve("bin").resolve(File.separatorChar == '\\' ? "java.exe" : "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }
}
