package io.github.multiprocessing4j.internal.serial;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.concurrent.Callable;

/**
 * Serialization of targets, results and exceptions that cross a process boundary, with errors
 * that name the class at fault: lambdas capturing only simple values get a direct encoding
 * ({@link LambdaEncoding}), everything else JDK serialization.
 */
public final class Serialization {
    /**
     * The system property by which a JVM's reflection calls methods and constructors through the
     * JDK's native accessors: the library's children of JDK 22 and later are given it
     * ({@code ChildCommand}), and records are then made through a method handle ({@code RecordShape}).
     */
    public static final String NATIVE_ACCESSORS_PROPERTY = "jdk.reflect.useNativeAccessorOnly";

    /**
     * The allow-list that what this thread deserializes must pass, or null: set for a whole
     * thread ({@link #filterThisThread}: a remote pool's collector and workers), or around the
     * decoding of one item that came from the network ({@link ItemCodec#decode(ItemCodec.Encoded,
     * ClassLoader, ObjectInputFilter)}), so that streams nested in other encodings (a lambda's
     * captured values) are filtered too without a filter parameter on every method in between.
     */
    static final ThreadLocal<ObjectInputFilter> FILTER = new ThreadLocal<>();

    private Serialization() {
    }

    /**
     * Deserializes everything this thread reads from now on through {@code filter}: JDK
     * serialization streams, and the capturing class of a lambda in the direct encoding (which
     * no stream names). Null for no filter of its own.
     */
    public static void filterThisThread(ObjectInputFilter filter) {
        if (filter == null) {
            FILTER.remove();
        } else {
            FILTER.set(filter);
        }
    }

    /**
     * Checks a class named by a lambda's direct encoding against this thread's filter, as a stream
     * naming it would be checked. (Not against the JVM-wide filter: asking for it initialises the
     * JDK's filter configuration and its logger, milliseconds on a child's boot path.)
     *
     * @throws InvalidClassException when the filter refuses it
     */
    static void checkAllowed(Class<?> type) throws InvalidClassException {
        ObjectInputFilter filter = FILTER.get();
        if (filter == null) {
            return;
        }
        ObjectInputFilter.Status status = filter.checkInput(new ObjectInputFilter.FilterInfo() {
            @Override
            public Class<?> serialClass() {
                return type;
            }

            @Override
            public long arrayLength() {
                return -1;
            }

            @Override
            public long depth() {
                return 1;
            }

            @Override
            public long references() {
                return 0;
            }

            @Override
            public long streamBytes() {
                return 0;
            }
        });
        if (status == ObjectInputFilter.Status.REJECTED) {
            throw new InvalidClassException(type.getName(), "refused by the deserialization filter");
        }
    }

    /**
     * Serializes {@code value}.
     *
     * @param what what the value is, for the error message ("target", "item")
     * @throws IllegalArgumentException when the value, or something it refers to or captures, is
     *     not serializable; the message names the offending class and how the value reached it
     *     ({@link SerializationDiagnosis})
     */
    public static byte[] serialize(Object value, String what) {
        byte[] lambda = LambdaEncoding.encode(value);
        if (lambda != null) {
            return lambda;
        }
        return serializeObject(value, false, what);
    }

    /**
     * @return whether {@code value} is a serializable lambda that captures nothing: every such
     *     lambda of its class serializes to the same bytes and behaves the same, so that one
     *     serialization, and one copy rebuilt on the other side, serve them all
     */
    public static boolean isStatelessLambda(Object value) {
        return LambdaEncoding.isStateless(value.getClass());
    }

    /**
     * Serializes values as one array, in one stream: a section's objects. An error message tells
     * about the value at fault as {@link #serialize} tells about a value.
     *
     * @param what what the values are, for the error message ("item", "result")
     * @throws IllegalArgumentException when a value is not serializable; the message names the class
     */
    static byte[] serializeValues(Object[] values, String what) {
        return serializeObject(values, true, what);
    }

    private static byte[] serializeObject(Object value, boolean elementsAreValues, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(SerializationDiagnosis.explain(value, elementsAreValues, what, e), e);
        } catch (InvalidClassException e) {
            throw new IllegalArgumentException("the " + what + " is not serializable: class "
                    + e.classname + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the " + what + " is not serializable: " + e, e);
        }
        return bytes.toByteArray();
    }

    /**
     * Deserializes bytes made by {@link #serialize}, resolving classes with {@code loader}.
     *
     * @throws IOException when the bytes are damaged
     * @throws ClassNotFoundException when a class is missing here
     */
    public static Object deserialize(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
        return deserialize(bytes, 0, bytes.length, loader);
    }

    /**
     * Deserializes the {@code length} bytes at {@code offset} made by {@link #serialize}, resolving
     * classes with {@code loader}: a value inside a larger message, read without copying it out.
     *
     * @throws IOException when the bytes are damaged
     * @throws ClassNotFoundException when a class is missing here
     */
    public static Object deserialize(byte[] bytes, int offset, int length, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        if (length > 0 && bytes[offset] == LambdaEncoding.TAG) {
            return LambdaEncoding.decode(bytes, offset, length, loader);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, offset, length)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            }
        }) {
            ObjectInputFilter filter = FILTER.get();
            if (filter != null) {
                in.setObjectInputFilter(filter);
            }
            return in.readObject();
        }
    }

    /**
     * @return the class whose code runs first when {@code target} runs: a lambda's capturing
     *     class, else the target's own class
     */
    public static String firstClassOf(Object target) {
        java.lang.invoke.SerializedLambda recipe = LambdaEncoding.recipeOf(target);
        return recipe != null ? recipe.getCapturingClass().replace('/', '.') : target.getClass().getName();
    }

    /**
     * @param serializedTarget a target as {@link #serialize} wrote it
     * @return whether reading it back needs an {@code ObjectInputStream}, whose first one costs a
     *     JVM tens of milliseconds: a target JDK serialization carries, or a lambda that captured
     *     a value without a direct encoding (a list, a record, a condition)
     */
    public static boolean needsObjectStream(byte[] serializedTarget) {
        return serializedTarget.length == 0 || serializedTarget[0] != LambdaEncoding.TAG
                || LambdaEncoding.capturesSerializedObjects(serializedTarget);
    }

    /**
     * Deserializes a process's target, which the caller runs once, as a call of its target method
     * (the one a lambda of its interface implements): for a lambda in the direct encoding, what
     * runs is the lambda's body, called without rebuilding the lambda itself
     * ({@link ReflectiveTarget}: milliseconds less of a child's start); any other target through
     * that method of the public interface it implements.
     *
     * @return the call; it returns null, and throws what the target's method throws
     * @throws IOException when the bytes are damaged
     * @throws ClassNotFoundException when a class is missing here
     * @throws ClassCastException when the bytes hold something else than a target
     */
    public static Callable<Object> deserializeTarget(byte[] bytes, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        if (bytes.length > 0 && bytes[0] == LambdaEncoding.TAG) {
            return LambdaEncoding.decodeTarget(bytes, loader);
        }
        return ReflectiveTarget.ofTargetMethod(deserialize(bytes, loader));
    }

    /**
     * Serializes a throwable so that it can be shown in another process. When the throwable (or
     * one of its causes) cannot be serialized, a stand-in with the same class name, message and
     * stack trace is serialized instead.
     */
    public static byte[] serializeFailure(Throwable failure) {
        try {
            return serialize(failure, "failure");
        } catch (IllegalArgumentException e) {
            return serialize(RemoteFailure.copyOf(failure), "failure");
        }
    }
}
