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

    /**
     * A growable message. Not thread-safe.
     *
     * <p>A writer told to {@linkplain #spliceArraysFrom splice} large arrays keeps an array given
     * to {@link #putSizedBytesOrSplice} by reference instead of copying it into its buffer: the
     * message is then the buffer with those arrays spliced in ({@link Spliced}), which a pool
     * writes straight into a worker's inbox, so that an argument of megabytes is not first copied
     * into a new array of the parent's heap (see {@code ProcessPool}'s notes on large arguments).
     * {@link #position()}, {@link #skip}, {@link #setInt}, {@link #setByte} and {@link #buffer()}
     * are about the buffer alone; {@link #length()} is the message's length, spliced arrays
     * included, for offsets the reader of the message uses.
     */
    public static final class Writer {
        private byte[] buffer;
        private int position;
        /** Strings of at most this many chars are written char by char when they are ASCII ({@link #putString}). */
        private static final int CHAR_BY_CHAR = 64;
        /** Arrays of at least this many bytes are spliced ({@link #putSizedBytesOrSplice}); 0: none are. */
        private int spliceFrom;
        /** Where in the buffer each spliced array goes (before the byte at that position), in order. */
        private int[] spliceAt;
        private byte[][] spliced;
        private int splices;
        /** The spliced arrays' bytes in all. */
        private long splicedBytes;

        public Writer(int capacity) {
            buffer = new byte[Math.max(16, capacity)];
        }

        public int position() {
            return position;
        }

        /** @return the message's length so far: the buffer's bytes and the spliced arrays' */
        public int length() {
            return (int) (position + splicedBytes);
        }

        /**
         * Makes {@link #putSizedBytesOrSplice} splice arrays of {@code bytes} or more instead of
         * copying them.
         */
        public Writer spliceArraysFrom(int bytes) {
            spliceFrom = bytes;
            return this;
        }

        /**
         * Writes {@code int length | bytes} as {@link #putSizedBytes} does, but keeps an array of the
         * {@linkplain #spliceArraysFrom splicing size} or more by reference: its bytes are read when
         * the message is written out, so the caller must not change it until then.
         */
        public Writer putSizedBytesOrSplice(byte[] bytes) {
            if (spliceFrom <= 0 || bytes.length < spliceFrom) {
                return putSizedBytes(bytes);
            }
            if ((long) length() + 4 + bytes.length > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("a message of more than 2 GiB (in a pool: use a smaller chunk size)");
            }
            putInt(bytes.length);
            if (spliced == null) {
                spliceAt = new int[2];
                spliced = new byte[2][];
            } else if (splices == spliced.length) {
                spliceAt = Arrays.copyOf(spliceAt, 2 * splices);
                spliced = Arrays.copyOf(spliced, 2 * splices);
            }
            spliceAt[splices] = position;
            spliced[splices++] = bytes;
            splicedBytes += bytes.length;
            return this;
        }

        /** Copies the spliced arrays into the buffer, where they go: the buffer is then the whole message. */
        public void flattenSplices() {
            if (splices == 0) {
                return;
            }
            byte[] whole = toByteArray();
            buffer = whole;
            position = whole.length;
            dropSplices(0);
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

        /**
         * Writes {@code int length | UTF-8 bytes}. A short ASCII string is written char by char,
         * without the array of its bytes that {@code getBytes} makes: a list of 100,000 strings
         * put into a queue made as many arrays in the caller's heap, and in a program's first
         * seconds each new page of that heap is a page fault (under {@code perf}, the put's time
         * went mostly to them).
         */
        public Writer putString(String value) {
            return value.length() <= CHAR_BY_CHAR && putAscii(value) ? this
                    : putSizedBytes(value.getBytes(StandardCharsets.UTF_8));
        }

        /** Writes {@code int length | chars} when every char of {@code value} is ASCII; else writes nothing. */
        private boolean putAscii(String value) {
            int length = value.length();
            room(4 + length);
            int at = position + 4;
            for (int i = 0; i < length; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    return false;
                }
                buffer[at + i] = (byte) c;
            }
            putInt(length);
            position += length;
            return true;
        }

        /** Writes what names {@code segment}, for a process of its tree to open it with {@link Reader#getSegment}. */
        public Writer putSegment(SharedSegment segment) {
            if (segment.isSlice()) {
                throw new IllegalArgumentException("a slice of " + segment + " cannot travel: send the whole segment");
            }
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

        /** Forgets what was written from {@code at} on (spliced arrays included): the next write goes there. */
        public void truncate(int at) {
            if (at < 0 || at > position) {
                throw new IndexOutOfBoundsException(at);
            }
            position = at;
            // an array spliced at exactly this position was written before it (an array's length
            // comes first, so one written after it is spliced further on): it stays
            int kept = splices;
            while (kept > 0 && spliceAt[kept - 1] > at) {
                kept--;
            }
            dropSplices(kept);
        }

        private void dropSplices(int kept) {
            for (int i = kept; i < splices; i++) {
                splicedBytes -= spliced[i].length;
                spliced[i] = null;
            }
            splices = kept;
        }

        /** @return the message: exactly the bytes written (the buffer itself when it is full and nothing is spliced) */
        public byte[] toByteArray() {
            if (splices == 0) {
                return position == buffer.length ? buffer : Arrays.copyOf(buffer, position);
            }
            return ((Spliced) toMessage()).toByteArray();
        }

        /**
         * @return the message: a {@code byte[]} as {@link #toByteArray()} gives it when nothing was
         *     spliced, else the {@link Spliced} message, which holds the spliced arrays by reference
         */
        public Object toMessage() {
            return splices == 0 ? toByteArray() : new Spliced(Arrays.copyOf(buffer, position),
                    Arrays.copyOf(spliceAt, splices), Arrays.copyOf(spliced, splices), length());
        }

        /**
         * Makes the buffer hold {@code bytes} more than written so far, at once, where writing
         * them would grow it step by step; a guess too large for one message is left to the writes.
         */
        public void reserve(long bytes) {
            if (bytes > buffer.length - position && position + bytes <= Integer.MAX_VALUE - 16) {
                growTo((int) (position + bytes));
            }
        }

        private void room(int bytes) {
            if (buffer.length - position < bytes) {
                long wanted = Math.max(2L * buffer.length, (long) position + bytes);
                if (wanted > Integer.MAX_VALUE - 16) {
                    throw new IllegalArgumentException("a message of more than 2 GiB (in a pool: use a smaller chunk size)");
                }
                growTo((int) wanted);
            }
        }

        /**
         * A larger buffer with what was written so far: the bytes up to the position only, not the
         * whole old buffer, whose capacity a generous first guess ({@link #reserve}, a map chunk's
         * size guess) may have made far larger than what it holds. Nothing past the position is
         * ever read back ({@link #truncate} forgets it, {@link #setInt} writes before it).
         */
        private void growTo(int size) {
            byte[] grown = new byte[size];
            System.arraycopy(buffer, 0, grown, 0, position);
            buffer = grown;
        }
    }

    /**
     * A message whose large arrays are held by reference ({@link Writer#putSizedBytesOrSplice}):
     * its bytes are {@code head} with each array inserted before the byte at its position. Written
     * out part by part ({@link #forEachPart}), it needs no array of its whole length.
     */
    public static final class Spliced {
        private final byte[] head;
        private final int[] at;
        private final byte[][] arrays;
        private final int length;

        Spliced(byte[] head, int[] at, byte[][] arrays, int length) {
            this.head = head;
            this.at = at;
            this.arrays = arrays;
            this.length = length;
        }

        /** What receives the parts of a message, in order. */
        @FunctionalInterface
        public interface Part {
            void accept(byte[] bytes, int offset, int length);
        }

        /** @return the message's length in bytes */
        public int length() {
            return length;
        }

        /** Hands the message's bytes to {@code part}, front to back, in slices of its arrays. */
        public void forEachPart(Part part) {
            int from = 0;
            for (int i = 0; i < arrays.length; i++) {
                if (at[i] > from) {
                    part.accept(head, from, at[i] - from);
                }
                from = at[i];
                part.accept(arrays[i], 0, arrays[i].length);
            }
            if (head.length > from) {
                part.accept(head, from, head.length - from);
            }
        }

        /** @return the message's bytes in one new array */
        public byte[] toByteArray() {
            byte[] whole = new byte[length];
            int[] to = {0};
            forEachPart((bytes, offset, count) -> {
                System.arraycopy(bytes, offset, whole, to[0], count);
                to[0] += count;
            });
            return whole;
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
