package io.github.multiprocessing4j.internal.serial;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * A direct encoding of serializable lambdas: the usual shape of a child's target and of a pool's
 * function.
 *
 * <p>Implementation notes. JDK serialization of a lambda writes its {@link SerializedLambda} (the
 * lambda's recipe: capturing class, functional interface, implementation method, captured
 * values) and rebuilds the lambda through the capturing class's synthetic
 * {@code $deserializeLambda$} method. This class writes the same recipe through the {@link Wire}
 * and calls {@code $deserializeLambda$} itself, so a child that runs
 * such a target never creates an {@code ObjectInputStream}: the first one a JVM creates
 * initialises the serialization filter configuration and the platform logging it reports to,
 * which costs a cold child JVM about 30 ms of start-up. The lambda obtained is the one JDK
 * serialization would give.
 *
 * <pre>
 *  byte 'L' | capturing class | functional interface class | its method name | its method signature
 *  | int implementation method kind | implementation class | its method name | its signature
 *  | instantiated method type | captured values: a {@link ValueSection}
 * </pre>
 *
 * (strings as {@link Wire} writes them). The captured values are a section of the one value
 * codec: strings, boxed primitives and byte arrays are written directly; other captured values
 * (a queue, a lock, a list) go in the section's one JDK serialization stream, so that they keep
 * sharing what they share. A target that captures only the former never needs an
 * {@code ObjectInputStream}; one that captures shared objects needs one for them, but not for
 * the lambda, which a process's target then never rebuilds ({@link ReflectiveTarget}). Anything
 * else (a class implementing the interface, a lambda whose class is in a module that is not open
 * to this library, a captured value that cannot be serialized) is left to JDK serialization,
 * which says what is wrong: {@link #encode} returns null.
 *
 * <p>The reflection this takes ({@code writeReplace}, the capturing class and its
 * {@code $deserializeLambda$}) is looked up once per class, not at each lambda: a pool's task is
 * encoded at each submission and rebuilt at each run, and in a new program's first calls, still
 * interpreted, encoding a lambda that captured an int cost 70-140 µs with the look-ups and
 * 24-50 µs without, rebuilding it 40-61 µs and 18-40 µs (measured 2026-12-06, calls 2-5).
 */
final class LambdaEncoding {
    /** First byte of the encoding; JDK serialization streams start with 0xAC. */
    static final byte TAG = 0x4c; // 'L'

    /**
     * A captured {@code byte[]} of this many bytes or more, or one inside a captured list, map or
     * record ({@link CompoundCodec}), is held by reference while the other captured values are
     * encoded, then copied once, into the encoding's own array: copied into
     * the growing buffer, it was copied again by the buffer's next doubling (into an array twice
     * its size) and by the encoding's final trim. Measured on the 2-core development VM, a warm
     * start of a target capturing 64 MiB (8 starts each, alternating): {@code start()} 114-243 ->
     * 80-119 ms, the target's first line 157-287 -> 123-173 ms; a captured list holding the 64 MiB
     * array, with a value captured after it, encoded in 56-62 ms before its array was spliced too,
     * 18-22 ms after.
     */
    private static final int COPIED_ONCE_FROM = 64 << 10;

    private LambdaEncoding() {
    }

    /** @return the encoding of {@code value}, or null when it is not a lambda this class encodes */
    static byte[] encode(Object value) {
        LambdaClass lambdaClass = LAMBDA_CLASSES.get(value.getClass());
        SerializedLambda recipe = recipeOf(value, lambdaClass);
        if (recipe == null || !lambdaClass.rebuildable(recipe)) {
            return null;
        }
        try {
            byte[] head = lambdaClass.head(recipe);
            Wire.Writer out = new Wire.Writer(head.length + 64).spliceArraysFrom(COPIED_ONCE_FROM).putBytes(head);
            ValueSection.Encoder captured = new ValueSection.Encoder(out, "captured values");
            for (int i = 0; i < recipe.getCapturedArgCount(); i++) {
                captured.add(recipe.getCapturedArg(i));
            }
            captured.finish();
            return out.toByteArray();
        } catch (IllegalArgumentException e) {
            return null; // a captured value that cannot be serialized: JDK serialization will say which
        }
    }

    /**
     * Rebuilds a lambda from its encoding, the {@code length} bytes at {@code offset}.
     *
     * @throws IOException when the bytes are damaged or the lambda cannot be rebuilt here
     * @throws ClassNotFoundException when the capturing class is missing here
     */
    static Object decode(byte[] bytes, int offset, int length, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        return readRecipe(new Wire.Reader(bytes, offset, offset + length), loader).rebuild();
    }

    /**
     * Reads a process's target, which is run once: a lambda whose method takes and returns
     * nothing is not rebuilt but called, by reflection, with its captured values ({@link ReflectiveTarget}).
     *
     * @throws IOException when the bytes are damaged or the lambda cannot be rebuilt here
     * @throws ClassNotFoundException when the capturing class is missing here
     */
    static ReflectiveTarget decodeTarget(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
        Recipe recipe = readRecipe(new Wire.Reader(bytes), loader);
        ReflectiveTarget call = ReflectiveTarget.of(recipe.capturingClass, recipe.lambda);
        return call != null ? call : ReflectiveTarget.ofTargetMethod(recipe.rebuild());
    }

    /**
     * @return whether the encoding's captured values include any that JDK serialization carries
     *     (the section's objects): reading it back then needs an {@code ObjectInputStream}
     */
    static boolean capturesSerializedObjects(byte[] bytes) {
        Wire.Reader in = new Wire.Reader(bytes);
        in.getByte();
        for (int i = 0; i < 4; i++) { // capturing class, functional interface, its method and signature
            in.getString();
        }
        in.getInt(); // implementation method kind
        for (int i = 0; i < 4; i++) { // implementation class, method, signature; instantiated type
            in.getString();
        }
        return ValueSection.hasObjects(in);
    }

    /** A lambda's recipe as read back, with its capturing class loaded. */
    private record Recipe(Class<?> capturingClass, SerializedLambda lambda) {
        /** @return the lambda, from the capturing class's {@code $deserializeLambda$}, as JDK serialization would */
        Object rebuild() throws IOException {
            try {
                Method rebuild = REBUILDERS.get(capturingClass);
                if (rebuild == null) {
                    throw new InvalidObjectException("cannot rebuild a lambda of " + capturingClass.getName()
                            + ": it has no $deserializeLambda$, or its package is not open to multiprocessing4j");
                }
                return rebuild.invoke(null, lambda);
            } catch (IllegalAccessException e) {
                throw new InvalidObjectException("cannot rebuild a lambda of " + capturingClass.getName() + ": " + e);
            } catch (InvocationTargetException e) {
                InvalidObjectException failure = new InvalidObjectException("cannot rebuild a lambda of "
                        + capturingClass.getName() + ": " + e.getCause());
                failure.initCause(e.getCause());
                throw failure;
            }
        }
    }

    private static Recipe readRecipe(Wire.Reader in, ClassLoader loader) throws IOException, ClassNotFoundException {
        try {
            if (in.getByte() != TAG) {
                throw new InvalidObjectException("not a lambda encoding");
            }
            Class<?> capturingClass = Class.forName(in.getString().replace('/', '.'), false, loader);
            Serialization.checkAllowed(capturingClass);
            String functionalInterfaceClass = in.getString();
            String functionalInterfaceMethodName = in.getString();
            String functionalInterfaceMethodSignature = in.getString();
            int implMethodKind = in.getInt();
            String implClass = in.getString();
            String implMethodName = in.getString();
            String implMethodSignature = in.getString();
            String instantiatedMethodType = in.getString();
            Object[] captured = ValueSection.readChecked(in, loader);
            return new Recipe(capturingClass, new SerializedLambda(capturingClass, functionalInterfaceClass,
                    functionalInterfaceMethodName, functionalInterfaceMethodSignature, implMethodKind, implClass,
                    implMethodName, implMethodSignature, instantiatedMethodType, captured));
        } catch (IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new InvalidObjectException("a damaged lambda encoding: " + e);
        }
    }

    /** @return whether {@code type} is the class of a serializable lambda that captures nothing */
    static boolean isStateless(Class<?> type) {
        return LAMBDA_CLASSES.get(type).stateless;
    }

    /** @return the recipe of a serializable lambda, or null for anything else */
    static SerializedLambda recipeOf(Object value) {
        return recipeOf(value, LAMBDA_CLASSES.get(value.getClass()));
    }

    /** {@link #recipeOf(Object)} with {@code value}'s class looked up already. */
    private static SerializedLambda recipeOf(Object value, LambdaClass lambdaClass) {
        Method writeReplace = lambdaClass.writeReplace;
        if (writeReplace == null) {
            return null;
        }
        try {
            Object replacement = writeReplace.invoke(value);
            return replacement instanceof SerializedLambda ? (SerializedLambda) replacement : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The reflection a class's lambdas need, looked up once per class: in a new program's pool
     * calls, before the JIT has compiled it, each {@code getDeclaredMethod} and
     * {@code Class.forName} of an encoding or a rebuild cost tens of microseconds of a call that
     * takes a few hundred.
     */
    private static final ClassValue<LambdaClass> LAMBDA_CLASSES = new ClassValue<>() {
        @Override
        protected LambdaClass computeValue(Class<?> type) {
            return type.isSynthetic() && type.isHidden() ? new LambdaClass(writeReplaceOf(type), capturesNothing(type))
                    : NO_LAMBDA;
        }
    };

    /** By capturing class: its {@code $deserializeLambda$}, accessible; null when it has none this library may call. */
    private static final ClassValue<Method> REBUILDERS = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> capturingClass) {
            try {
                Method rebuild = capturingClass.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                return rebuild.trySetAccessible() ? rebuild : null;
            } catch (NoSuchMethodException | RuntimeException e) {
                return null;
            }
        }
    };

    /** A lambda's class, as its encoding needs it. */
    private static final class LambdaClass {
        /** Its {@code writeReplace}, accessible; null when it is no lambda whose recipe this library may read. */
        final Method writeReplace;
        /** Whether it is serializable and captures nothing: all its lambdas are alike. */
        final boolean stateless;
        /** Whether a child may rebuild its lambdas, found at its first encoding; null until then. */
        private volatile Boolean rebuildable;
        /** The encoding's head, alike for all its lambdas (all but the captured values); null until its first encoding. */
        private volatile byte[] head;

        LambdaClass(Method writeReplace, boolean stateless) {
            this.writeReplace = writeReplace;
            this.stateless = stateless;
        }

        /** The child must be able to call {@code $deserializeLambda$}: checked here, where it is cheap, once. */
        boolean rebuildable(SerializedLambda recipe) {
            Boolean known = rebuildable;
            if (known == null) {
                try {
                    Class<?> capturing = Class.forName(recipe.getCapturingClass().replace('/', '.'), false,
                            writeReplace.getDeclaringClass().getClassLoader());
                    known = REBUILDERS.get(capturing) != null;
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    known = false;
                }
                rebuildable = known;
            }
            return known;
        }

        /**
         * @return the head of the encoding of a lambda of this class, {@code recipe}'s: the tag, the
         *     classes, methods and signatures, written once per class (in a new program's first
         *     calls, still interpreted, writing their ~200 chars one by one was half the time a
         *     caller spent in {@code apply()} of a lambda capturing a {@code long})
         */
        byte[] head(SerializedLambda recipe) {
            byte[] known = head;
            if (known == null) {
                known = new Wire.Writer(256).putByte(TAG)
                        .putString(recipe.getCapturingClass()).putString(recipe.getFunctionalInterfaceClass())
                        .putString(recipe.getFunctionalInterfaceMethodName())
                        .putString(recipe.getFunctionalInterfaceMethodSignature()).putInt(recipe.getImplMethodKind())
                        .putString(recipe.getImplClass()).putString(recipe.getImplMethodName())
                        .putString(recipe.getImplMethodSignature()).putString(recipe.getInstantiatedMethodType())
                        .toByteArray();
                head = known;
            }
            return known;
        }
    }

    /** What any class that is not a lambda's is (a class of the caller's, a proxy). */
    private static final LambdaClass NO_LAMBDA = new LambdaClass(null, false);

    /** @return a lambda class's {@code writeReplace}, accessible; null when this library may not call it */
    private static Method writeReplaceOf(Class<?> type) {
        try {
            Method writeReplace = type.getDeclaredMethod("writeReplace");
            return writeReplace.trySetAccessible() ? writeReplace : null;
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }

    /** @return whether a lambda class is serializable and holds no captured value (they are its instance fields) */
    private static boolean capturesNothing(Class<?> type) {
        if (!Serializable.class.isAssignableFrom(type)) {
            return false;
        }
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                return false;
            }
        }
        return true;
    }
}
