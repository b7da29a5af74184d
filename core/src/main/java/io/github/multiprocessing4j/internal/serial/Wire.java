package io.github.multiprocessing4j.internal.serial;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one way this library writes numbers and strings into bytes and reads them back: big-endian
 * numbers in a plain {@code byte[]}, through array views, without streams. Used by every
 * encoding that crosses a process boundary: queue items ({@link ItemCodec}), sections of values
 * ({@link ValueSection}: pool chunks, a lambda's captured values), pool messages and a child's
 * bootstrap message.
 *
 * <p>Strings are {@code int length | UTF-8 bytes}.
 *
 * <p>Implementation notes. A {@link VarHandle} view of a byte array compiles to one unaligned
 * load or store, where shifting bytes takes four or eight, and a {@code DataOutputStream} or a
 * {@code ByteBuffer} adds an object per message: a pool moves about eleven million ints a second
 * through here. The static array accessors serve the encodings whose bytes are a fixed-size array
 * already (a queue item's body), which then need no {@link Writer} or {@link Reader} object.
 */
public final class Wire {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private Wire() {
    }

    public static void putInt(byte[] bytes, int at, int value) {
        INT.set(bytes, at, value);
    }

    public static int getInt(byte[] bytes, int at) {
        return (int) INT.get(bytes, at);
    }

    public static void putLong(byte[] bytes, int at, long value) {
        LONG.set(bytes, at, value);
    }

    public static long getLong(byte[] bytes, int at) {
        return (long) LONG.get(bytes, at);
    }

    public static void putShort(byte[] bytes, int at, short value) {
        SHORT.set(bytes, at, value);
    }

    public static short getShort(byte[] bytes, int at) {
        return (short) SHORT.get(bytes, at);
    }

    /** A growable message. Not thread-safe. */
    public static final class Writer {
        private byte[] buffer;
        private int position;

        public Writer(int capacity) {
            buffer = new byte[Math.max(16, capacity)];
        }

        public int position() {
            return position;
        }

        public Writer putByte(int value) {
            room(1);
            buffer[position++] = (byte) value;
            return this;
        }

        public Writer putInt(int value) {
            room(4);
            INT.set(buffer, position, value);
            position += 4;
            return this;
        }

        public Writer putLong(long value) {
            room(8);
            LONG.set(buffer, position, value);
            position += 8;
            return this;
        }

        public Writer putBoolean(boolean value) {
            return putByte(value ? 1 : 0);
        }

        public Writer putBytes(byte[] bytes) {
            return putBytes(bytes, 0, bytes.length);
        }

        public Writer putBytes(byte[] bytes, int offset, int length) {
            room(length);
            System.arraycopy(bytes, offset, buffer, position, length);
            position += length;
            return this;
        }

        /** Writes {@code int length | bytes}. */
        public Writer putSizedBytes(byte[] bytes) {
            return putInt(bytes.length).putBytes(bytes);
        }

        /** Writes {@code int length | UTF-8 bytes}. */
        public Writer putString(String value) {
            return putSizedBytes(value.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Makes room for {@code length} bytes that the caller writes itself into {@link #buffer()}.
         *
         * @return where they start
         */
        public int skip(int length) {
            room(length);
            int at = position;
            position += length;
            return at;
        }

        /** @return the array written into, valid until the next write (which may replace it) */
        public byte[] buffer() {
            return buffer;
        }

        /** Overwrites the int at {@code at}, written before (a count known only at the end). */
        public void setInt(int at, int value) {
            INT.set(buffer, at, value);
        }

        /** Overwrites the byte at {@code at}, written before. */
        public void setByte(int at, int value) {
            buffer[at] = (byte) value;
        }

        /** Forgets what was written from {@code at} on: the next write goes there. */
        public void truncate(int at) {
            if (at < 0 || at > position) {
                throw new IndexOutOfBoundsException(at);
            }
            position = at;
        }

        /** @return the message: exactly the bytes written (the buffer itself when it is full) */
        public byte[] toByteArray() {
            return position == buffer.length ? buffer : Arrays.copyOf(buffer, position);
        }

        private void room(int bytes) {
            if (buffer.length - position < bytes) {
                long wanted = Math.max(2L * buffer.length, (long) position + bytes);
                if (wanted > Integer.MAX_VALUE - 16) {
                    throw new IllegalArgumentException("a message of more than 2 GiB (in a pool: use a smaller chunk size)");
                }
                buffer = Arrays.copyOf(buffer, (int) wanted);
            }
        }
    }

    /**
     * Reads a message front to back: a whole array, or a slice of one (a message inside a batch
     * of messages). Positions are indexes in the array. Not thread-safe.
     */
    public static final class Reader {
        private final byte[] buffer;
        private final int start;
        private final int end;
        private int position;

        public Reader(byte[] buffer) {
            this(buffer, 0, buffer.length);
        }

        public Reader(byte[] buffer, int start, int end) {
            this.buffer = buffer;
            this.start = start;
            this.end = end;
            this.position = start;
        }

        public byte[] buffer() {
            return buffer;
        }

        /** @return where the message starts in {@link #buffer()} */
        public int start() {
            return start;
        }

        /** @return where the message ends in {@link #buffer()} */
        public int end() {
            return end;
        }

        public int position() {
            return position;
        }

        public void position(int at) {
            position = at;
        }

        public byte getByte() {
            return buffer[position++];
        }

        public int getInt() {
            int value = (int) INT.get(buffer, position);
            position += 4;
            return value;
        }

        public long getLong() {
            long value = (long) LONG.get(buffer, position);
            position += 8;
            return value;
        }

        public boolean getBoolean() {
            return getByte() != 0;
        }

        public byte[] getBytes(int length) {
            if (length < 0 || length > end - position) {
                throw new IndexOutOfBoundsException("a length of " + length + " with " + (end - position) + " bytes left");
            }
            byte[] out = Arrays.copyOfRange(buffer, position, position + length);
            position += length;
            return out;
        }

        /** Reads what {@link Writer#putSizedBytes} wrote. */
        public byte[] getSizedBytes() {
            return getBytes(getInt());
        }

        /** Reads what {@link Writer#putString} wrote. */
        public String getString() {
            int length = getInt();
            String value = new String(buffer, position, length, StandardCharsets.UTF_8);
            position += length;
            return value;
        }

        /** @return the bytes from here to the end of the message */
        public byte[] rest() {
            return getBytes(end - position);
        }
    }
}
