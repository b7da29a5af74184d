package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.serial.Wire;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What a parent tells a new child on the child's stdin before anything else: who the child is,
 * which tree it belongs to, who its parent is, and the serialized target.
 *
 * <pre>
 * int     MAGIC ("mp4j")      int     VERSION         int  length of the rest
 * string  treeId              long    parentPid       long parentStartTicks
 * string  parentName          boolean parentDaemon
 * string  name                boolean daemon
 * int     target length       byte[]  target (the serialized target)
 * </pre>
 *
 * Numbers, strings and booleans as the {@link Wire} writes them (a string: int length, UTF-8).
 *
 * After the message the parent keeps the pipe open without writing: it is the child's lifeline.
 * The length lets the child read the message with two reads instead of one per field: a spare
 * reads it on the critical path of a warm start.
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
    private static final int VERSION = 3; // 3: strings as the Wire writes them
    private static final int HEAD_BYTES = 12;

    /** Writes the message and flushes. */
    public void writeTo(OutputStream stream) throws IOException {
        Wire.Writer out = new Wire.Writer(128 + target.length);
        out.putInt(MAGIC).putInt(VERSION).putInt(0); // the length, set below
        out.putString(treeId).putLong(parentPid).putLong(parentStartTicks);
        out.putString(parentName).putBoolean(parentDaemon);
        out.putString(name).putBoolean(daemon);
        out.putSizedBytes(target);
        out.setInt(HEAD_BYTES - 4, out.position() - HEAD_BYTES);
        stream.write(out.buffer(), 0, out.position());
        stream.flush();
    }

    /**
     * Reads a message, and not one byte past it.
     *
     * @throws java.io.EOFException when the parent closed the pipe first
     * @throws IOException when the stream is not a bootstrap message of this version
     */
    public static BootstrapMessage readFrom(InputStream stream) throws IOException {
        DataInputStream unbuffered = new DataInputStream(stream); // FileInputStream.readNBytes seeks (JDK 17)
        byte[] head = new byte[HEAD_BYTES];
        unbuffered.readFully(head);
        Wire.Reader fields = new Wire.Reader(head);
        if (fields.getInt() != MAGIC || fields.getInt() != VERSION) {
            throw new IOException("stdin does not carry a multiprocessing4j bootstrap message of version " + VERSION);
        }
        byte[] rest = new byte[fields.getInt()];
        unbuffered.readFully(rest);
        Wire.Reader in = new Wire.Reader(rest);
        try {
            return new BootstrapMessage(in.getString(), in.getLong(), in.getLong(), in.getString(), in.getBoolean(),
                    in.getString(), in.getBoolean(), in.getSizedBytes());
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IOException("a damaged bootstrap message: " + e, e);
        }
    }
}
