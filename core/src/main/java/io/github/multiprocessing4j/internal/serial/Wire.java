package io.github.multiprocessing4j.internal.serial;

import io.github.multiprocessing4j.internal.shm.SharedSegment;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one way this library writes numbers and strings into bytes and reads them back: big-endian
 * numbers in a plain {@code byte[]}, through array views, without streams. Used by every
 * encoding that crosses a process boundary: queue items ({@link ItemCodec}), sections of values
 * ({@link ValueSection}: pool chunks, a lambda's captured values), pool messages and a child's
 * bootstrap message.
 *
 * <p>Strings are {@code int length | UTF-8 bytes}; a shared segment (in a handle's direct
 * encoding: the library's handles, a queue's, a pool worker's channels) is
 * {@code string tree | string name | int size}.
 *
 * <p>Implementation notes. Numbers are written and read byte by byte with shifts, not through
 * {@code VarHandle} views of the array (one unaligned load or store each): a child JVM reads its
 * bootstrap message and its target through here, and the first use of a byte-array view in a
 * fresh JVM loads and spins the method-handle classes behind it, milliseconds of every cold start.
 * The pool's map figures did not move beyond the benchmark's noise when this was changed (its
 * cost is in boxing and queueing, not in these shifts). No {@code DataOutputStream} or {@code ByteBuffer}: they add an
 * object per message. The static array accessors serve the encodings whose bytes are a
 * fixed-size array already (a queue item's body), which then need no {@link Writer} or
 * {@link Reader} object.
 */
public final class Wire {
    private Wire() {
    }

    public static void putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }

    public static int getInt(byte[] bytes, int at) {
        return bytes[at] << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | (bytes[at + 3] & 0xff);
    }

    public static void putLong(byte[] bytes, int at, long value) {
        putInt(bytes, at, (int) (value >>> 32));
        putInt(bytes, at + 4, (int) value);
    }

    public static long getLong(byte[] bytes, int at) {
        return (long) getInt(bytes, at) << 32 | (getInt(bytes, at + 4) & 0xffff_ffffL);
    }

    public static void putShort(byte[] bytes, int at, short value) {
        bytes[at] = (byte) (value >>> 8);
        bytes[at + 1] = (byte) value;
    }

    public static short getShort(byte[] bytes, int at) {
        return (short) (bytes[at] << 8 | (bytes[at + 1] & 0xff));
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
            Wire.putInt(buffer, position, value);
            position += 4;
            return this;
        }

        public Writer putLong(long value) {
            room(8);
            Wire.putLong(buffer, position, value);
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

        /** Writes what names {@code segment}, for a process of its tree to open it with {@link Reader#getSegment}. */
        public Writer putSegment(SharedSegment segment) {
            SharedSegment.countWritten();
            return putString(segment.treeId()).putString(segment.name()).putInt(segment.size());
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
            Wire.putInt(buffer, at, value);
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

        /**
         * Makes the buffer hold {@code bytes} more than written so far, at once, where writing
         * them would grow it step by step; a guess too large for one message is left to the writes.
         */
        public void reserve(long bytes) {
            if (bytes > buffer.length - position && position + bytes <= Integer.MAX_VALUE - 16) {
                buffer = Arrays.copyOf(buffer, (int) (position + bytes));
            }
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
            int value = Wire.getInt(buffer, position);
            position += 4;
            return value;
        }

        public long getLong() {
            long value = Wire.getLong(buffer, position);
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

        /**
         * @return the segment {@link Writer#putSegment} named, as JDK deserialization of its
         *     handle would give it
         * @throws IllegalStateException when the segment no longer exists (unlinked, or its tree ended)
         */
        public SharedSegment getSegment() {
            return SharedSegment.received(getString(), getString(), getInt());
        }

        /** @return the bytes from here to the end of the message */
        public byte[] rest() {
            return getBytes(end - position);
        }
    }
}
