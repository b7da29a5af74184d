package io.github.multiprocessing4j.internal.sync;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A doorbell's file: what ringers read of it, and the word that keeps its pipe all but empty. */
class DoorbellFileTest {
    @Test
    void aPublishedFileSaysWhereThePipeIsAndLeavesNoPartialFileBehind(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("4250");
        DoorbellFile.publish(file, 7_543_322L, 6);
        DoorbellFile read = DoorbellFile.open(file);
        assertThat(read.pipeInode()).isEqualTo(7_543_322L);
        assertThat(read.fd()).isEqualTo(6);
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            assertThat(files).containsExactly(file);
        }
        assertThat(DoorbellFile.open(directory.resolve("4313"))).as("no such file").isNull();
        Path shorter = Files.write(directory.resolve("4314"), new byte[DoorbellFile.SIZE - 1]);
        assertThat(DoorbellFile.open(shorter)).as("a file shorter than the layout: never mapped").isNull();
    }

    @Test
    void aRingIsWrittenOnlyWhileNoneIsUnheardOrTheUnheardOneIsStale(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("4250");
        DoorbellFile listener = DoorbellFile.publish(file, 1, 3);
        DoorbellFile ringer = DoorbellFile.open(file);
        DoorbellFile other = DoorbellFile.open(file);
        assertThat(ringer.claimRing()).isTrue();
        assertThat(other.claimRing()).as("a byte is unheard").isFalse();
        listener.heard();
        assertThat(other.claimRing()).as("heard").isTrue();
        ByteBuffer stale = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder())
                .putLong(0, System.currentTimeMillis() - DoorbellFile.STALE_RING_MILLIS - 1);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(stale, 16); // as a ringer killed before its write leaves it
        }
        assertThat(ringer.claimRing()).as("a ring unheard for over a second: its ringer died, say").isTrue();
        assertThat(other.claimRing()).isFalse();
    }
}
