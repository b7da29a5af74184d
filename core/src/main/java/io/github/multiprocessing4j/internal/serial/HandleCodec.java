package io.github.multiprocessing4j.internal.serial;

import java.io.IOException;
import java.io.InvalidObjectException;

/**
 * The direct encoding of the library's shared-object handles (a queue, a lock, a shared value)
 * among a {@link ValueSection}'s values: a child's target that captures them, a pool task that
 * takes them or returns them.
 *
 * <p>Implementation notes. Such a handle is only a name of something in shared memory (a
 * segment's tree, name and size, a few numbers), yet JDK serialization of it costs a JVM that
 * has never deserialized anything tens of milliseconds: the first {@code ObjectInputStream}
 * initialises the serialization filter and the platform logging it reports to, and each class
 * met for the first time is looked at by reflection and gets a constructor generated for it.
 * Measured on the 2-core development VM, a cold child whose target captured a queue took 55 ms
 * longer from {@code start()} to its end than one whose target captured nothing. A handle
 * encoded here is its kind and those names, written and read without any of that.
 *
 * <p>The handles' classes are the public API's, which this layer must not know: the API
 * installs its codec ({@link #install}) when its codec class ({@value #API_CODEC}) is
 * initialised, which the first {@link #installed()} does by name, in the writing process and
 * in the reading one alike. A handle is encoded here only as the exact class of the API that
 * made it, over this library's own shared memory; anything else (a subclass, a handle over a
 * cluster's backend) goes on to JDK serialization as before.
 */
public interface HandleCodec {
    /** The class of the API that installs the codec when it is initialised. */
    String API_CODEC = "io.github.multiprocessing4j.HandleWire";

    /**
     * Writes {@code value} when it is a handle with a direct encoding.
     *
     * @param value any value, not null
     * @param out where to write it
     * @return whether it was written; nothing is written when it was not
     */
    boolean write(Object value, Wire.Writer out);

    /**
     * Reads a handle that {@link #write} wrote, mapping what it names in this process.
     *
     * @param in the encoding, exactly
     * @return the handle
     * @throws IOException when the bytes are damaged
     * @throws IllegalStateException when the shared object no longer exists
     */
    Object read(Wire.Reader in) throws IOException;

    /**
     * Reads a handle written as a section writes one, {@code int length | encoding}, at the
     * reader's position, and moves past it.
     *
     * @param end where the bytes the handle may take end (the end of its section or compound)
     * @throws IOException when the bytes are damaged
     * @throws IllegalStateException when the shared object no longer exists
     */
    static Object readSized(Wire.Reader in, int end) throws IOException {
        int length = in.getInt();
        int at = in.position();
        if (length < 0 || length > end - at) {
            throw new InvalidObjectException("a handle of " + length + " bytes in " + (end - at));
        }
        Object handle = installed().read(new Wire.Reader(in.buffer(), at, at + length));
        in.position(at + length);
        return handle;
    }

    /**
     * Installs the codec; the API's codec class calls it once, when it is initialised.
     *
     * @param codec the codec
     */
    static void install(HandleCodec codec) {
        Installed.codec = codec;
    }

    /**
     * @return the codec the API installed; it is installed by this call if needed (its class
     *     initialised by name)
     */
    static HandleCodec installed() {
        HandleCodec codec = Installed.codec;
        if (codec == null) {
            try {
                Class.forName(API_CODEC, true, HandleCodec.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the library's handle codec " + API_CODEC + " is missing", e);
            }
            codec = Installed.codec;
            if (codec == null) {
                throw new IllegalStateException(API_CODEC + " did not install itself");
            }
        }
        return codec;
    }

    /** Where the installed codec is kept (an interface has no mutable fields of its own). */
    final class Installed {
        private static volatile HandleCodec codec;

        private Installed() {
        }
    }
}
