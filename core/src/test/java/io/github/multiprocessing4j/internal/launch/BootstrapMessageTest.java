package io.github.multiprocessing4j.internal.launch;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BootstrapMessageTest {
    private static byte[] bytesOf(BootstrapMessage message) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void aMessageComesBackFieldByFieldAndNotOneBytePastIt() throws IOException {
        byte[] target = {(byte) 0xac, (byte) 0xed, 0, 5};
        BootstrapMessage sent = new BootstrapMessage("mp4j-12-34", 4321, 987654321012L, "Main Process", true,
                "Kind-1 ünïcode", false, target);
        byte[] bytes = bytesOf(sent);
        byte[] stdin = Arrays.copyOf(bytes, bytes.length + 3); // the lifeline's bytes after it
        ByteArrayInputStream in = new ByteArrayInputStream(stdin);

        BootstrapMessage read = BootstrapMessage.readFrom(in);

        assertThat(read.treeId()).isEqualTo("mp4j-12-34");
        assertThat(read.parentPid()).isEqualTo(4321);
        assertThat(read.parentStartTicks()).isEqualTo(987654321012L);
        assertThat(read.parentName()).isEqualTo("Main Process");
        assertThat(read.parentDaemon()).isTrue();
        assertThat(read.name()).isEqualTo("Kind-1 ünïcode");
        assertThat(read.daemon()).isFalse();
        assertThat(read.target()).containsExactly(target);
        assertThat(in.available()).isEqualTo(3);
    }

    /** A target of megabytes goes in slices of a pipe's size both ways, and comes back whole from reads as short as a pipe's. */
    @Test
    void aLargeTargetComesBackWholeFromShortReadsAndNotOneBytePastIt() throws IOException {
        byte[] target = new byte[3 * BootstrapMessage.SLICE + 12_345];
        new java.util.Random(7).nextBytes(target);
        List<Integer> writes = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes.add(len);
                super.write(b, off, len);
            }
        };
        new BootstrapMessage("mp4j-1-2", 1, 2, "parent", false, "child", false, target).writeTo(out);
        assertThat(writes).allSatisfy(length -> assertThat(length).isLessThanOrEqualTo(BootstrapMessage.SLICE));
        byte[] stdin = Arrays.copyOf(out.toByteArray(), out.size() + 5);
        List<Integer> asked = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(stdin) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                asked.add(len);
                return super.read(b, off, Math.min(len, 4096)); // a pipe gives what it holds
            }
        };

        BootstrapMessage read = BootstrapMessage.readFrom(in);

        assertThat(read.target()).isEqualTo(target);
        assertThat(read.name()).isEqualTo("child");
        assertThat(asked).allSatisfy(length -> assertThat(length).isLessThanOrEqualTo(BootstrapMessage.SLICE));
        assertThat(in.available()).isEqualTo(5);
    }

    @Test
    void anEmptyTargetAndEmptyNamesComeBack() throws IOException {
        BootstrapMessage read = BootstrapMessage.readFrom(new ByteArrayInputStream(
                bytesOf(new BootstrapMessage("", 0, 0, "", false, "", true, new byte[0]))));
        assertThat(read.treeId()).isEmpty();
        assertThat(read.target()).isEmpty();
        assertThat(read.daemon()).isTrue();
    }

    @Test
    void anotherStreamOrAClosedPipeOrACutMessageIsRefused() throws IOException {
        assertThatThrownBy(() -> BootstrapMessage.readFrom(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> BootstrapMessage.readFrom(new ByteArrayInputStream(new byte[16])))
                .isInstanceOf(IOException.class).hasMessageContaining("bootstrap message of version");
        byte[] bytes = bytesOf(new BootstrapMessage("t", 1, 2, "p", false, "n", false, new byte[] {1}));
        bytes[16 + 3] = 100; // the tree id's length, past the fields
        assertThatThrownBy(() -> BootstrapMessage.readFrom(new ByteArrayInputStream(bytes)))
                .isInstanceOf(IOException.class).hasMessageContaining("damaged");
    }
}
