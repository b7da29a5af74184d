package io.github.multiprocessing4j.internal.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bytes of one pool message being written ({@link Writer}) or read ({@link Reader}): big-endian
 * numbers in a plain {@code byte[]}, written and read through array views, without streams.
 */
final class Wire {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Wire() {
    }

    /** A growable message. Not thread-safe. */
    static final class Writer {
        private byte[] buffer;
        private int position;

        Writer(int capacity) {
            buffer = new byte[Math.max(16, capacity)];
        }

        int position() {
            return position;
        }

        Writer putByte(int value) {
            room(1);
            buffer[position++] = (byte) value;
            return this;
        }

        Writer putInt(int value) {
            room(4);
            INT.set(buffer, position, value);
            position += 4;
            return this;
        }

        Writer putLong(long value) {
            room(8);
            LONG.set(buffer, position, value);
            position += 8;
            return this;
        }

        Writer putBytes(byte[] bytes) {
            return putBytes(bytes, 0, bytes.length);
        }

        Writer putBytes(byte[] bytes, int offset, int length) {
            room(length);
            System.arraycopy(bytes, offset, buffer, position, length);
            position += length;
            return this;
        }

        /** Overwrites the int at {@code at}, written before (a count known only at the end). */
        void setInt(int at, int value) {
            INT.set(buffer, at, value);
        }

        /** @return the message: exactly the bytes written */
        byte[] toByteArray() {
            return position == buffer.length ? buffer : Arrays.copyOf(buffer, position);
        }

        private void room(int bytes) {
            if (buffer.length - position < bytes) {
                long wanted = Math.max(2L * buffer.length, (long) position + bytes);
                if (wanted > Integer.MAX_VALUE - 16) {
                    throw new IllegalArgumentException("a pool message of more than 2 GiB: use a smaller chunk size");
                }
                buffer = Arrays.copyOf(buffer, (int) wanted);
            }
        }
    }

    /**
     * Reads a message front to back: a whole array, or a slice of one (a message inside a
     * {@link PoolMessages#BATCH}). Positions are indexes in the array. Not thread-safe.
     */
    static final class Reader {
        private final byte[] buffer;
        private final int start;
        private final int end;
        private int position;

        Reader(byte[] buffer) {
            this(buffer, 0, buffer.length);
        }

        Reader(byte[] buffer, int start, int end) {
            this.buffer = buffer;
            this.start = start;
            this.end = end;
            this.position = start;
        }

        byte[] buffer() {
            return buffer;
        }

        /** @return where the message starts in {@link #buffer()} */
        int start() {
            return start;
        }

        /** @return where the message ends in {@link #buffer()} */
        int end() {
            return end;
        }

        int position() {
            return position;
        }

        void position(int at) {
            position = at;
        }

        byte getByte() {
            return buffer[position++];
        }

        int getInt() {
            int value = (int) INT.get(buffer, position);
            position += 4;
            return value;
        }

        long getLong() {
            long value = (long) LONG.get(buffer, position);
            position += 8;
            return value;
        }

        byte[] getBytes(int length) {
            byte[] out = Arrays.copyOfRange(buffer, position, position + length);
            position += length;
            return out;
        }

        /** @return the bytes from here to the end of the message */
        byte[] rest() {
            return getBytes(end - position);
        }
    }
}
