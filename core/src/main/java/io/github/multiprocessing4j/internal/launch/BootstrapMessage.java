package io.github.multiprocessing4j.internal.launch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * What a parent tells a new child on the child's stdin before anything else: who the child is,
 * which tree it belongs to, who its parent is, and the serialized target.
 *
 * <pre>
 * int     MAGIC ("mp4j")      int     VERSION         int  length of the rest
 * UTF     treeId              long    parentPid       long parentStartTicks
 * UTF     parentName          boolean parentDaemon
 * UTF     name                boolean daemon
 * int     target length       byte[]  target (JDK serialization of the SerializableRunnable)
 * </pre>
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
    private static final int VERSION = 2;
    private static final int HEAD_BYTES = 12;

    /** Writes the message and flushes. */
    public void writeTo(OutputStream stream) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + target.length);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(0); // the length, set below
        out.writeUTF(treeId);
        out.writeLong(parentPid);
        out.writeLong(parentStartTicks);
        out.writeUTF(parentName);
        out.writeBoolean(parentDaemon);
        out.writeUTF(name);
        out.writeBoolean(daemon);
        out.writeInt(target.length);
        out.write(target);
        ByteBuffer message = ByteBuffer.wrap(bytes.toByteArray());
        message.putInt(HEAD_BYTES - 4, message.capacity() - HEAD_BYTES);
        stream.write(message.array());
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
        ByteBuffer fields = ByteBuffer.wrap(head);
        if (fields.getInt(0) != MAGIC || fields.getInt(4) != VERSION) {
            throw new IOException("stdin does not carry a multiprocessing4j bootstrap message of version " + VERSION);
        }
        byte[] rest = new byte[fields.getInt(8)];
        unbuffered.readFully(rest);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(rest));
        String treeId = in.readUTF();
        long parentPid = in.readLong();
        long parentStartTicks = in.readLong();
        String parentName = in.readUTF();
        boolean parentDaemon = in.readBoolean();
        String name = in.readUTF();
        boolean daemon = in.readBoolean();
        byte[] target = new byte[in.readInt()];
        in.readFully(target);
        return new BootstrapMessage(treeId, parentPid, parentStartTicks, parentName, parentDaemon, name, daemon, target);
    }
}
