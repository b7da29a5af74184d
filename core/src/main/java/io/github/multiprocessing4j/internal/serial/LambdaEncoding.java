package io.github.multiprocessing4j.internal.serial;

import io.github.multiprocessing4j.SerializableRunnable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * A direct encoding of serializable lambdas: the usual shape of a child's target and of a pool's
 * function.
 *
 * <p>Implementation notes. JDK serialization of a lambda writes its {@link SerializedLambda} (the
 * lambda's recipe: capturing class, functional interface, implementation method, captured
 * values) and rebuilds the lambda through the capturing class's synthetic
 * {@code $deserializeLambda$} method. This class writes the same recipe with a
 * {@link DataOutputStream} and calls {@code $deserializeLambda$} itself, so a child that runs
 * such a target never creates an {@code ObjectInputStream}: the first one a JVM creates
 * initialises the serialization filter configuration and the platform logging it reports to,
 * which costs a cold child JVM about 30 ms of start-up. The lambda obtained is the one JDK
 * serialization would give.
 *
 * <p>Captured strings, boxed primitives and byte arrays are written directly; other captured
 * values (a queue, a lock, a list) are written by one JDK serialization stream for them all, at
 * the end, so that they keep sharing what they share. A target that captures only the former
 * never needs an {@code ObjectInputStream}; one that captures shared objects needs one for them,
 * but not for the lambda, which a process's target then never rebuilds
 * ({@link #decodeTarget}). Anything else (a class implementing the interface, a lambda whose
 * class is in a module that is not open to this library, a captured value that cannot be
 * serialized) is left to JDK serialization, which says what is wrong: {@link #encode} returns
 * null.
 */
final class LambdaEncoding {
    /** First byte of the encoding; JDK serialization streams start with 0xAC. */
    static final byte TAG = 0x4c; // 'L'

    private static final int NULL = 0;
    private static final int STRING = 1;
    private static final int INTEGER = 2;
    private static final int LONG = 3;
    private static final int BOOLEAN = 4;
    private static final int DOUBLE = 5;
    private static final int FLOAT = 6;
    private static final int SHORT = 7;
    private static final int BYTE = 8;
    private static final int CHARACTER = 9;
    private static final int BYTES = 10;
    /** The value is the next one of the objects section. */
    private static final int OBJECT = 11;
    /** What {@link #readValue} gives for {@link #OBJECT}, until the section is read. */
    private static final Object IN_OBJECTS = new Object();
    private static final int MAX_UTF = 65535 / 3; // writeUTF's limit, for any characters

    private LambdaEncoding() {
    }

    /** @return the encoding of {@code value}, or null when it is not a lambda this class encodes */
    static byte[] encode(Object value) {
        SerializedLambda recipe = recipeOf(value);
        if (recipe == null || !reachable(value.getClass().getClassLoader(), recipe.getCapturingClass())) {
            return null;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(TAG);
            out.writeUTF(recipe.getCapturingClass());
            out.writeUTF(recipe.getFunctionalInterfaceClass());
            out.writeUTF(recipe.getFunctionalInterfaceMethodName());
            out.writeUTF(recipe.getFunctionalInterfaceMethodSignature());
            out.writeInt(recipe.getImplMethodKind());
            out.writeUTF(recipe.getImplClass());
            out.writeUTF(recipe.getImplMethodName());
            out.writeUTF(recipe.getImplMethodSignature());
            out.writeUTF(recipe.getInstantiatedMethodType());
            out.writeInt(recipe.getCapturedArgCount());
            List<Object> objects = new ArrayList<>();
            for (int i = 0; i < recipe.getCapturedArgCount(); i++) {
                Object captured = recipe.getCapturedArg(i);
                if (!writeValue(out, captured)) {
                    out.writeByte(OBJECT);
                    objects.add(captured);
                }
            }
            if (!objects.isEmpty()) {
                byte[] section = Serialization.serialize(objects.toArray(), "captured values"); // read by deserialize
                out.writeInt(section.length);
                out.write(section);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException | IllegalArgumentException e) {
            return null; // a captured value that cannot be serialized: JDK serialization will say which
        }
    }

    /**
     * Rebuilds a lambda from its encoding.
     *
     * @throws IOException when the bytes are damaged or the lambda cannot be rebuilt here
     * @throws ClassNotFoundException when the capturing class is missing here
     */
    static Object decode(byte[] encoded, ClassLoader loader) throws IOException, ClassNotFoundException {
        return readRecipe(encoded, loader).rebuild();
    }

    /**
     * Rebuilds a process's target, which is run once: a {@link SerializableRunnable} lambda is not
     * rebuilt but called, by reflection, with its captured values ({@link ReflectiveTarget}).
     *
     * @throws IOException when the bytes are damaged or the lambda cannot be rebuilt here
     * @throws ClassNotFoundException when the capturing class is missing here
     */
    static SerializableRunnable decodeTarget(byte[] encoded, ClassLoader loader) throws IOException, ClassNotFoundException {
        Recipe recipe = readRecipe(encoded, loader);
        SerializableRunnable call = ReflectiveTarget.of(recipe.capturingClass, recipe.lambda);
        return call != null ? call : (SerializableRunnable) recipe.rebuild();
    }

    /** A lambda's recipe as read back, with its capturing class loaded. */
    private record Recipe(Class<?> capturingClass, SerializedLambda lambda) {
        /** @return the lambda, from the capturing class's {@code $deserializeLambda$}, as JDK serialization would */
        Object rebuild() throws IOException {
            try {
                Method rebuild = capturingClass.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                if (!rebuild.trySetAccessible()) {
                    throw new InvalidObjectException("cannot rebuild a lambda of " + capturingClass.getName()
                            + ": its package is not open to multiprocessing4j");
                }
                return rebuild.invoke(null, lambda);
            } catch (NoSuchMethodException | IllegalAccessException e) {
                throw new InvalidObjectException("cannot rebuild a lambda of " + capturingClass.getName() + ": " + e);
            } catch (InvocationTargetException e) {
                InvalidObjectException failure = new InvalidObjectException("cannot rebuild a lambda of "
                        + capturingClass.getName() + ": " + e.getCause());
                failure.initCause(e.getCause());
                throw failure;
            }
        }
    }

    private static Recipe readRecipe(byte[] encoded, ClassLoader loader) throws IOException, ClassNotFoundException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
        if (in.readByte() != TAG) {
            throw new InvalidObjectException("not a lambda encoding");
        }
        Class<?> capturingClass = Class.forName(in.readUTF().replace('/', '.'), false, loader);
        String functionalInterfaceClass = in.readUTF();
        String functionalInterfaceMethodName = in.readUTF();
        String functionalInterfaceMethodSignature = in.readUTF();
        int implMethodKind = in.readInt();
        String implClass = in.readUTF();
        String implMethodName = in.readUTF();
        String implMethodSignature = in.readUTF();
        String instantiatedMethodType = in.readUTF();
        Object[] captured = new Object[in.readInt()];
        boolean objects = false;
        for (int i = 0; i < captured.length; i++) {
            captured[i] = readValue(in);
            objects |= captured[i] == IN_OBJECTS;
        }
        if (objects) {
            byte[] section = new byte[in.readInt()];
            in.readFully(section);
            Object[] values = (Object[]) Serialization.deserialize(section, loader);
            int next = 0;
            for (int i = 0; i < captured.length; i++) {
                if (captured[i] == IN_OBJECTS) {
                    captured[i] = values[next++];
                }
            }
        }
        return new Recipe(capturingClass, new SerializedLambda(capturingClass, functionalInterfaceClass,
                functionalInterfaceMethodName, functionalInterfaceMethodSignature, implMethodKind, implClass,
                implMethodName, implMethodSignature, instantiatedMethodType, captured));
    }

    /** @return the recipe of a serializable lambda, or null for anything else */
    static SerializedLambda recipeOf(Object value) {
        Class<?> type = value.getClass();
        if (!type.isSynthetic() || !type.isHidden()) {
            return null;
        }
        try {
            Method writeReplace = type.getDeclaredMethod("writeReplace");
            if (!writeReplace.trySetAccessible()) {
                return null;
            }
            Object replacement = writeReplace.invoke(value);
            return replacement instanceof SerializedLambda ? (SerializedLambda) replacement : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The child must be able to call {@code $deserializeLambda$}: check it here, where it is cheap. */
    private static boolean reachable(ClassLoader loader, String capturingClass) {
        try {
            Class<?> type = Class.forName(capturingClass.replace('/', '.'), false, loader);
            return type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class).trySetAccessible();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static boolean writeValue(DataOutputStream out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof String) {
            String s = (String) value;
            if (s.length() > MAX_UTF) {
                return false;
            }
            out.writeByte(STRING);
            out.writeUTF(s);
        } else if (value instanceof Integer) {
            out.writeByte(INTEGER);
            out.writeInt((Integer) value);
        } else if (value instanceof Long) {
            out.writeByte(LONG);
            out.writeLong((Long) value);
        } else if (value instanceof Boolean) {
            out.writeByte(BOOLEAN);
            out.writeBoolean((Boolean) value);
        } else if (value instanceof Double) {
            out.writeByte(DOUBLE);
            out.writeDouble((Double) value);
        } else if (value instanceof Float) {
            out.writeByte(FLOAT);
            out.writeFloat((Float) value);
        } else if (value instanceof Short) {
            out.writeByte(SHORT);
            out.writeShort((Short) value);
        } else if (value instanceof Byte) {
            out.writeByte(BYTE);
            out.writeByte((Byte) value);
        } else if (value instanceof Character) {
            out.writeByte(CHARACTER);
            out.writeChar((Character) value);
        } else if (value instanceof byte[]) {
            byte[] b = (byte[]) value;
            out.writeByte(BYTES);
            out.writeInt(b.length);
            out.write(b);
        } else {
            return false;
        }
        return true;
    }

    private static Object readValue(DataInputStream in) throws IOException {
        int tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case STRING:
                return in.readUTF();
            case INTEGER:
                return in.readInt();
            case LONG:
                return in.readLong();
            case BOOLEAN:
                return in.readBoolean();
            case DOUBLE:
                return in.readDouble();
            case FLOAT:
                return in.readFloat();
            case SHORT:
                return in.readShort();
            case BYTE:
                return in.readByte();
            case CHARACTER:
                return in.readChar();
            case BYTES:
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                return b;
            case OBJECT:
                return IN_OBJECTS;
            default:
                throw new InvalidObjectException("unknown captured-value tag " + tag);
        }
    }
}
