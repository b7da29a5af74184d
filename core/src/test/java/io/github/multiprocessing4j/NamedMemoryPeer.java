package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.runtime.ChildOutput;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A program unrelated to the test JVM (no process of its tree), for {@link SharedMemoryNamedTest}:
 * {@code NamedMemoryPeer attach NAME} attaches to the named block, reads the long at 0 and writes
 * twice that at 8; {@code NamedMemoryPeer create NAME} creates a 64-byte named block, writes 4242
 * at 0 and exits without unlinking it; {@code NamedMemoryPeer recreate NAME} unlinks the named
 * block and creates another of 128 bytes under the same name, with 4343 at 0. An exception exits
 * with status 1.
 */
public final class NamedMemoryPeer {
    private NamedMemoryPeer() {
    }

    public static void main(String[] args) {
        if (args[0].equals("attach")) {
            try (SharedMemory shared = SharedMemory.attachNamed(args[1])) {
                shared.buffer().putLong(8, shared.buffer().getLong(0) * 2);
            }
        } else if (args[0].equals("recreate")) {
            try (SharedMemory old = SharedMemory.attachNamed(args[1])) {
                old.unlink();
            }
            try (SharedMemory shared = SharedMemory.createNamed(args[1], 128)) {
                shared.buffer().putLong(0, 4343);
            }
        } else {
            SharedMemory shared = SharedMemory.createNamed(args[1], 64);
            shared.buffer().putLong(0, 4242);
            shared.close();
        }
    }

    /** Runs {@code NamedMemoryPeer MODE NAME} with the test class path and returns its exit status. */
    static int run(String mode, String name) throws Exception {
        String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Its output (the expected failure's stack trace among it) joins the test's through System.out/err.
        Process peer = ChildOutput.start(new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"),
                NamedMemoryPeer.class.getName(), mode, name).redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE));
        if (!peer.waitFor(60, TimeUnit.SECONDS)) {
            peer.destroyForcibly().waitFor();
            throw new AssertionError("NamedMemoryPeer " + mode + " " + name + " did not end within 60 s");
        }
        return peer.exitValue();
    }
}
