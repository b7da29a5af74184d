package io.github.multiprocessing4j.internal.shm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A mapping's words reached through its direct buffer's own accessors, and {@link VarHandle}s
 * viewing it as longs or ints for the atomic operations: the way of JDK 24 and later, and of a
 * JVM without {@code sun.misc.Unsafe} ({@link MappedWords}). The buffer checks the bounds and
 * keeps itself reachable during each access.
 */
final class BufferWords extends MappedWords {
    /**
     * The views: made when this class is first used, so that a JVM that reaches the words through
     * {@code Unsafe} never makes them (making a JVM's first {@code VarHandle}s costs it a millisecond or two).
     */
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ByteBuffer buffer;

    private BufferWords(ByteBuffer buffer) {
        super(buffer);
        this.buffer = buffer;
    }

    /** Made here, its static type the superclass's, so that a JVM that never uses this class never loads it. */
    static MappedWords over(ByteBuffer buffer) {
        return new BufferWords(buffer);
    }

    @Override
    long getLong(int offset) {
        return buffer.getLong(offset);
    }

    @Override
    void putLong(int offset, long value) {
        buffer.putLong(offset, value);
    }

    @Override
    long getLongAcquire(int offset) {
        long value = buffer.getLong(offset);
        VarHandle.acquireFence();
        return value;
    }

    @Override
    int getIntAcquire(int offset) {
        int value = buffer.getInt(offset);
        VarHandle.acquireFence();
        return value;
    }

    @Override
    int getInt(int offset) {
        return buffer.getInt(offset);
    }

    @Override
    void putInt(int offset, int value) {
        buffer.putInt(offset, value);
    }

    @Override
    byte getByte(int offset) {
        return buffer.get(offset);
    }

    @Override
    void putByte(int offset, byte value) {
        buffer.put(offset, value);
    }

    @Override
    boolean compareAndSetLong(int offset, long expected, long value) {
        return LONGS.compareAndSet(buffer, atomicWord(offset, Long.BYTES), expected, value);
    }

    @Override
    boolean compareAndSetInt(int offset, int expected, int value) {
        return INTS.compareAndSet(buffer, atomicWord(offset, Integer.BYTES), expected, value);
    }

    @Override
    long getAndAddLong(int offset, long delta) {
        return (long) LONGS.getAndAdd(buffer, atomicWord(offset, Long.BYTES), delta);
    }

    @Override
    long getAndSetLong(int offset, long value) {
        return (long) LONGS.getAndSet(buffer, atomicWord(offset, Long.BYTES), value);
    }

    @Override
    void putBytes(int offset, byte[] source, int sourceOffset, int length) {
        buffer.put(offset, source, sourceOffset, length);
    }

    @Override
    void getBytes(int offset, byte[] target, int targetOffset, int length) {
        buffer.get(offset, target, targetOffset, length);
    }

    @Override
    void copyTo(int offset, MappedWords target, int targetOffset, int length) {
        Objects.checkFromIndexSize(offset, length, size);
        Objects.checkFromIndexSize(targetOffset, length, target.size);
        ((BufferWords) target).buffer.put(targetOffset, buffer, offset, length);
    }
}
