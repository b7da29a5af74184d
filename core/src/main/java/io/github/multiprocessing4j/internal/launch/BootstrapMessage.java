package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.serial.Wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * What a parent tells a new child on the child's stdin before anything else: who the child is,
 * which tree it belongs to, who its parent is, and the serialized target.
 *
 * <pre>
 * int     MAGIC ("mp4j")      int     VERSION
 * int     length of the fields                     int     target length
 * fields: string treeId       long    parentPid       long parentStartTicks
 *         string parentName   boolean parentDaemon
 *         string name         boolean daemon
 * byte[]  target (the serialized target)
 * </pre>
 *
 * Numbers, strings and booleans as the {@link Wire} writes them (a string: int length, UTF-8).
 *
 * After the message the parent keeps the pipe open without writing: it is the child's lifeline.
 * The lengths let the child read the message with two reads instead of one per field: a spare
 * reads it on the critical path of a warm start.
 *
 * <p>Implementation notes. A target of megabytes (one that captured a large array) is written and
 * read {@value #SLICE} bytes at a time, and read straight into its own array. The JDK's
 * {@code FileOutputStream.write} and {@code FileInputStream.read} copy through a native buffer of
 * the length asked for when it is over 8 KiB: for megabytes a {@code malloc} that maps fresh
 * memory, at each call (and a read of a pipe returns at most what the pipe holds, 64 KiB, so a
 * child reading 64 MiB asked for a fresh native buffer of up to 64 MiB a thousand times). Measured
 * on the 2-core development VM with a target that captured a 64 MiB {@code byte[]} (a slow hour,
 * starts after the first of a program): start to the target's first line 1.2-1.3 s before, 0.46-0.62 s
 * after, CPython's spawn 0.67-0.75 s and its fork 13 ms. Most of what is left is the child's
 * fresh memory for two arrays of 64 MiB, the target's bytes and the array decoded from them.
 *
 * @param treeId the tree's registry id
 * @param parentPid the parent's pid
 * @param parentStartTicks the parent's start ticks
 * @param parentName the parent's process name
 * @param parentDaemon whether the parent is a daemon
 * @param name the child's name
 * @param daemon whether the child is a daemon
 * @param target the serialized target
 */
public record BootstrapMessage(String treeId, long parentPid, long parentStartTicks, String parentName,
                               boolean parentDaemon, String name, boolean daemon, byte[] target) {
    private static final int MAGIC = 0x6d70346a;
    private static final int VERSION = 4; // 4: the target's length in the head, the target apart
    private static final int HEAD_BYTES = 16;
    /**
     * The most bytes one write or read of the pipe moves: a pipe's capacity, below which the
     * JDK's native buffer comes from {@code malloc}'s reused heap instead of a fresh mapping.
     */
    static final int SLICE = 64 << 10;

    /** Writes the message and flushes. */
    public void writeTo(OutputStream stream) throws IOException {
        boolean targetApart = target.length > SLICE;
        Wire.Writer out = new Wire.Writer(128 + (targetApart ? 0 : target.length));
        out.putInt(MAGIC).putInt(VERSION).putInt(0).putInt(target.length); // the fields' length, set below
        out.putString(treeId).putLong(parentPid).putLong(parentStartTicks);
        out.putString(parentName).putBoolean(parentDaemon);
        out.putString(name).putBoolean(daemon);
        out.setInt(8, out.position() - HEAD_BYTES);
        if (targetApart) {
            writeInSlices(stream, out.buffer(), out.position());
            writeInSlices(stream, target, target.length);
        } else {
            out.putBytes(target); // one write: a warm start's message
            stream.write(out.buffer(), 0, out.position());
        }
        stream.flush();
    }

    private static void writeInSlices(OutputStream stream, byte[] bytes, int length) throws IOException {
        for (int at = 0; at < length; at += SLICE) {
            stream.write(bytes, at, Math.min(SLICE, length - at));
        }
    }

    /**
     * Reads a message, and not one byte past it.
     *
     * @throws java.io.EOFException when the parent closed the pipe first
     * @throws IOException when the stream is not a bootstrap message of this version
     */
    public static BootstrapMessage readFrom(InputStream stream) throws IOException {
        byte[] head = new byte[HEAD_BYTES];
        readFully(stream, head, HEAD_BYTES);
        Wire.Reader fields = new Wire.Reader(head);
        if (fields.getInt() != MAGIC || fields.getInt() != VERSION) {
            throw new IOException("stdin does not carry a multiprocessing4j bootstrap message of version " + VERSION);
        }
        int fieldBytes = fields.getInt();
        int targetBytes = fields.getInt();
        if (fieldBytes < 0 || targetBytes < 0) {
            throw new IOException("a damaged bootstrap message: lengths " + fieldBytes + " and " + targetBytes);
        }
        boolean targetApart = targetBytes > SLICE;
        byte[] rest = new byte[fieldBytes + (targetApart ? 0 : targetBytes)];
        readFully(stream, rest, rest.length);
        byte[] target;
        if (targetApart) {
            target = new byte[targetBytes];
            readFully(stream, target, targetBytes);
        } else {
            target = Arrays.copyOfRange(rest, fieldBytes, rest.length);
        }
        Wire.Reader in = new Wire.Reader(rest, 0, fieldBytes);
        try {
            return new BootstrapMessage(in.getString(), in.getLong(), in.getLong(), in.getString(), in.getBoolean(),
                    in.getString(), in.getBoolean(), target);
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IOException("a damaged bootstrap message: " + e, e);
        }
    }

    /**
     * Reads exactly {@code length} bytes, at most {@link #SLICE} a read, and not one past them
     * (unbuffered: the rest of stdin is the lifeline; {@code FileInputStream.readNBytes} seeks on JDK 17).
     */
    private static void readFully(InputStream stream, byte[] bytes, int length) throws IOException {
        for (int at = 0; at < length; ) {
            int read = stream.read(bytes, at, Math.min(SLICE, length - at));
            if (read < 0) {
                throw new EOFException("the bootstrap message ends after " + at + " of " + length + " bytes");
            }
            at += read;
        }
    }
}
