package io.github.multiprocessing4j;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SharedMemory: create, attach by name in another process, close and unlink as in Python. */
class SharedMemoryTest {
    private final List<SharedMemory> blocks = new ArrayList<>();

    @AfterEach
    void unlinkBlocks() {
        for (SharedMemory m : blocks) {
            m.close();
            m.unlink();
        }
    }

    private SharedMemory create(int size) {
        SharedMemory m = SharedMemory.create(size);
        blocks.add(m);
        return m;
    }

    @Test
    void aBlockIsZeroFilledAndAttachingSeesTheSameBytes() {
        SharedMemory m = create(4096);
        assertThat(m.size()).isEqualTo(4096);
        ByteBuffer b = m.buffer();
        assertThat(b.position()).isZero();
        assertThat(b.limit()).isEqualTo(4096);
        for (int i = 0; i < 4096; i++) {
            assertThat(b.get(i)).isZero();
        }
        b.putLong(8, 0x1234_5678_9abcL);
        try (SharedMemory other = SharedMemory.attach(m.name())) {
            assertThat(other.size()).isEqualTo(4096);
            assertThat(other.buffer().getLong(8)).isEqualTo(0x1234_5678_9abcL);
            other.buffer().put(4095, (byte) 7);
        }
        assertThat(m.buffer().get(4095)).isEqualTo((byte) 7);
        assertThat(create(0).size()).isZero();
    }

    @Test
    void aChildAttachesByNameAndWrites() throws Exception {
        SharedMemory m = create(64);
        String name = m.name();
        ChildProcess child = new ChildProcess(() -> {
            try (SharedMemory mine = SharedMemory.attach(name)) {
                mine.buffer().putInt(0, 42).putInt(60, -1);
            }
        });
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(m.buffer().getInt(0)).isEqualTo(42);
        assertThat(m.buffer().getInt(60)).isEqualTo(-1);
    }

    @Test
    void aCapturedHandleIsTheSameBlockInTheChild() throws Exception {
        SharedMemory m = create(16);
        m.buffer().putLong(0, 5);
        ChildProcess child = new ChildProcess(() -> m.buffer().putLong(8, m.buffer().getLong(0) * 10));
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        assertThat(m.buffer().getLong(8)).isEqualTo(50);
    }

    @Test
    void aBlockCreatedInAChildIsAttachedByTheParentByName() throws Exception {
        SharedMemory names = create(128); // the child publishes its block's name here: length, bytes
        ChildProcess child = new ChildProcess(() -> {
            SharedMemory made = SharedMemory.create(32); // outlives the child: the tree still runs
            made.buffer().putLong(0, 77);
            byte[] name = made.name().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteBuffer out = names.buffer();
            out.position(4);
            out.put(name);
            out.putInt(0, name.length);
            made.close();
        });
        child.start();
        child.join();
        assertThat(child.exitCode()).hasValue(0);
        ByteBuffer in = names.buffer();
        byte[] name = new byte[in.getInt(0)];
        in.position(4);
        in.get(name);
        SharedMemory attached = SharedMemory.attach(new String(name, java.nio.charset.StandardCharsets.UTF_8));
        blocks.add(attached); // unlinked after the test
        assertThat(attached.size()).isEqualTo(32);
        assertThat(attached.buffer().getLong(0)).isEqualTo(77);
    }

    @Test
    void attachingAMissingOrUnlinkedBlockFailsClearly() {
        assertThatThrownBy(() -> SharedMemory.attach("memory-1-999999"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("memory-1-999999")
                .hasMessageContaining("does not exist");
        SharedMemory m = SharedMemory.create(8);
        m.buffer().put(0, (byte) 3);
        m.unlink();
        assertThatThrownBy(() -> SharedMemory.attach(m.name())).isInstanceOf(IllegalStateException.class);
        assertThat(m.buffer().get(0)).as("an existing handle keeps working after unlink").isEqualTo((byte) 3);
        m.unlink(); // idempotent
        m.close();
        assertThatThrownBy(m::buffer).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> SharedMemory.create(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
