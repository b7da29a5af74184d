package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.internal.launch.ChildCommand;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The floor under every cold start: a plain JVM started with {@link ProcessBuilder}, the same
 * {@code java}, class path and options as the library's children, and a class-data archive of its
 * own as they have one ({@link OwnArchive}), whose {@code main} only prints {@link System#nanoTime()}.
 * What the library's cold start adds to this is the library's own work; the bench table shows this
 * figure "for scale" and as the cold start's limit.
 *
 * <p>Implementation notes: this class's initialisation must load nothing of the library's, since
 * it is the bare JVM's main class: the library's options are a method's answer, not a constant
 * field's (a field read from {@code ChildCommand} would have the bare JVM initialise that class,
 * the shared-memory classes it uses and {@code Unsafe} before its first line).
 */
public final class BareJvm {
    /**
     * @return the library's default child options, its heap sizing among them, so that only the
     *     library's own work differs (read from the library itself: the bench runs from the class
     *     path, where its internal packages are visible); without the class-data archive
     */
    static List<String> childOptions() {
        List<String> options = new ArrayList<>(ChildCommand.DEFAULT_JVM_OPTIONS);
        options.addAll(ChildCommand.DEFAULT_HEAP_OPTIONS);
        return options;
    }
    private static final long DEADLINE_SECONDS = 60;

    private BareJvm() {
    }

    /** The argument that makes {@link #main} wait for the end of its stdin before it exits (an idle JVM). */
    static final String IDLE = "idle";

    /**
     * The child's side: prints the time of its first statement and exits, or with {@link #IDLE}
     * waits for the end of its stdin first.
     *
     * @param args nothing, or {@link #IDLE}
     * @throws IOException when stdin cannot be read
     */
    public static void main(String[] args) throws IOException {
        long now = System.nanoTime();
        System.out.println(now);
        if (args.length > 0 && args[0].equals(IDLE)) {
            System.in.readAllBytes();
        }
    }

    /**
     * @return the command of a bare JVM running {@code main}: this JVM's {@code java} and class
     *     path, with these options
     */
    static List<String> command(List<String> options, Class<?> main, String... args) {
        return command(options, System.getProperty("java.class.path"), main, args);
    }

    /** @return the command of a JVM running {@code main}: this JVM's {@code java}, with these options and class path */
    static List<String> command(List<String> options, String classPath, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * @param options the bare JVM's options ({@link OwnArchive#options()})
     * @return microseconds from {@code ProcessBuilder.start()} to the child's first statement
     */
    static double firstLineMicros(List<String> options) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command(options, BareJvm.class)).redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = builder.start();
        try (InputStream out = p.getInputStream()) {
            long inChild = Long.parseLong(new String(out.readAllBytes(), StandardCharsets.US_ASCII).trim());
            return (inChild - t0) / 1e3;
        } finally {
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
