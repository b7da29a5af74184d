package io.github.multiprocessing4j;

import java.time.Duration;

/**
 * The program that dumps the class-data archive of a class path with directories (the launch
 * layer's {@code ArchiveDumpRoot} starts it on the jars alone): it starts one child with the
 * options it is given, whose target does nothing, and joins it. Being the first child of its
 * class path of jars, that child dumps and trains the archive as it exits
 * ({@link ArchiveExercise}). Nobody waits for this program, so it ends its child itself after
 * {@link #LONGEST}.
 *
 * <pre>
 * java -cp JARS io.github.multiprocessing4j.ArchiveDumpProgram [CHILD JVM OPTION...]
 * </pre>
 */
final class ArchiveDumpProgram {
    /** A dump takes a few seconds; a child that takes this long is ended. */
    static final Duration LONGEST = Duration.ofMinutes(2);

    private ArchiveDumpProgram() {
    }

    /**
     * @param childJvmOptions the JVM options of the children that will map the archive (the caller's)
     * @throws InterruptedException never: nothing interrupts this program's main thread
     */
    public static void main(String[] childJvmOptions) throws InterruptedException {
        ChildProcess child = ChildProcess.builder(() -> { })
                .name("mp4j-archive-dump")
                .jvmArgs(childJvmOptions)
                .startMethod(StartMethod.COLD)
                .build();
        child.start();
        if (!child.join(LONGEST)) {
            child.kill(); // a dump takes seconds: something is wrong, and nobody waits for this program
            child.join();
        }
        System.exit(child.exitCode().orElse(1));
    }
}
