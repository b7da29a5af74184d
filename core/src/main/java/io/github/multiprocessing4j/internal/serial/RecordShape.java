package io.github.multiprocessing4j.internal.serial;

import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.Serializable;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;

/**
 * How {@link CompoundCodec} writes and rebuilds the records of one class, or why it does not:
 * its fields' getters, in the order of its components, and its canonical constructor, looked up
 * once per class.
 *
 * <p>Implementation notes. A getter is a method handle rather than the {@code Field}:
 * {@code Field.get} on a final field boxes every primitive and checks its receiver through a
 * native call until C2 compiles it, a third of a pool worker's time in a map returning records.
 * An {@code int}, {@code long} or {@code double} component's getter returns it unboxed, and the
 * encoding writes it as its box would be written. A record is rebuilt through its canonical
 * constructor, as JDK serialization rebuilds one, so that the checks of a compact constructor run.
 */
final class RecordShape {
    private static final ClassValue<RecordShape> SHAPES = new ClassValue<>() {
        @Override
        protected RecordShape computeValue(Class<?> type) {
            return lookUp(type);
        }
    };

    /**
     * Each component's getter: {@code (Object)int}, {@code (Object)long} or {@code (Object)double}
     * as {@link #primitiveTags} says, else {@code (Object)Object}; null when refused.
     */
    final MethodHandle[] getters;
    /** {@link ValueCodec#INT}, {@link ValueCodec#LONG} or {@link ValueCodec#DOUBLE} for a component of that primitive type, else 0. */
    final byte[] primitiveTags;
    /** Why records of this class are not encoded directly (they go to JDK serialization), or null. */
    final String refusal;
    private final Constructor<?> constructor;

    private RecordShape(MethodHandle[] getters, byte[] primitiveTags, Constructor<?> constructor, String refusal) {
        this.getters = getters;
        this.primitiveTags = primitiveTags;
        this.constructor = constructor;
        this.refusal = refusal;
    }

    /** @return the shape of {@code type}'s records; refused when {@code type} is not a record's class */
    static RecordShape of(Class<?> type) {
        return SHAPES.get(type);
    }

    /**
     * Rebuilds a record of this class from its components, read from an encoding.
     *
     * @throws InvalidObjectException when the canonical constructor throws (its exception is the
     *     cause), or a component is of another type than the class declares (damaged bytes)
     * @throws InvalidClassException when the constructor cannot be called
     */
    Object construct(Object[] components) throws InvalidObjectException, InvalidClassException {
        try {
            return constructor.newInstance(components);
        } catch (InvocationTargetException e) {
            // as JDK serialization reports a canonical constructor that refused the values
            InvalidObjectException refused = new InvalidObjectException("record " + className()
                    + " refused its components: " + e.getCause());
            refused.initCause(e.getCause());
            throw refused;
        } catch (IllegalArgumentException e) {
            // a component of another type than its class declares: bytes not written by the encoding
            throw new InvalidObjectException("a record " + className() + " with components of other types than its class's: "
                    + e.getMessage());
        } catch (InstantiationException | IllegalAccessException e) {
            throw new InvalidClassException(className(), e.toString());
        }
    }

    private String className() {
        return constructor.getDeclaringClass().getName();
    }

    private static RecordShape lookUp(Class<?> type) {
        if (!type.isRecord()) {
            return refused("not a record, in a record's encoding");
        }
        if (!Serializable.class.isAssignableFrom(type)) {
            return refused("not Serializable");
        }
        for (Method method : type.getDeclaredMethods()) {
            if (method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())
                    && (method.getName().equals("writeReplace") || method.getName().equals("readResolve"))) {
                return refused("it has " + method.getName() + "(), which only JDK serialization calls");
            }
        }
        RecordComponent[] components = type.getRecordComponents();
        MethodHandle[] getters = new MethodHandle[components.length];
        byte[] primitiveTags = new byte[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                Field field = type.getDeclaredField(components[i].getName());
                types[i] = components[i].getType();
                if (!field.trySetAccessible()) {
                    return refused("its fields are not accessible to the library");
                }
                primitiveTags[i] = types[i] == int.class ? ValueCodec.INT
                        : types[i] == long.class ? ValueCodec.LONG
                        : types[i] == double.class ? ValueCodec.DOUBLE : 0;
                Class<?> read = primitiveTags[i] == 0 ? Object.class : types[i];
                getters[i] = MethodHandles.lookup().unreflectGetter(field).asType(MethodType.methodType(read, Object.class));
            }
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            if (!constructor.trySetAccessible()) {
                return refused("its canonical constructor is not accessible to the library");
            }
            return new RecordShape(getters, primitiveTags, constructor, null);
        } catch (NoSuchFieldException | NoSuchMethodException | IllegalAccessException | SecurityException e) {
            return refused(e.toString());
        }
    }

    private static RecordShape refused(String why) {
        return new RecordShape(null, null, null, why);
    }
}
