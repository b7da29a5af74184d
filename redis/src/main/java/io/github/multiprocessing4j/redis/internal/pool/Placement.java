package io.github.multiprocessing4j.redis.internal.pool;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A pool's request that an agent start one worker, as it travels in the placements list: plain
 * fields in a {@link DataOutputStream}, so that an agent reads it without deserializing anything
 * (the worker's target stays bytes until the worker itself reads it).
 */
record Placement(String pool, int worker, String name, List<String> jvmArgs, byte[] target) {
    private static final int VERSION = 1;
    private static final int MAX_ARGS = 1_000;

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(target.length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(VERSION);
            out.writeUTF(pool);
            out.writeInt(worker);
            out.writeUTF(name);
            out.writeInt(jvmArgs.size());
            for (String a : jvmArgs) {
                out.writeUTF(a);
            }
            out.writeInt(target.length);
            out.write(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IOException when the bytes are not a placement of this version */
    static Placement decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != VERSION) {
                throw new IOException("not a placement of version " + VERSION);
            }
            String pool = in.readUTF();
            int worker = in.readInt();
            String name = in.readUTF();
            int args = in.readInt();
            if (args < 0 || args > MAX_ARGS) {
                throw new IOException("a damaged placement: " + args + " JVM arguments");
            }
            List<String> jvmArgs = new ArrayList<>(args);
            for (int i = 0; i < args; i++) {
                jvmArgs.add(in.readUTF());
            }
            int length = in.readInt();
            if (length < 0 || length > bytes.length) {
                throw new IOException("a damaged placement: target of " + length + " bytes");
            }
            byte[] target = in.readNBytes(length);
            return new Placement(pool, worker, name, jvmArgs, target);
        }
    }
}
