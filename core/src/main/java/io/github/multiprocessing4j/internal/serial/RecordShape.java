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
 *
 * <p>The constructor is called through {@code Constructor.newInstance}, except in a JVM whose
 * reflection uses the JDK's native accessors ({@value Serialization#NATIVE_ACCESSORS_PROPERTY}, which the
 * library's children of JDK 22 and later are given: {@code ChildCommand}): there through a method
 * handle that spreads the components over its parameters, after a check of their types here (so
 * that what the handle throws is the constructor's own). Measured on the 2-core development VM,
 * C1 only as the children run, a record of three components put into a queue and taken again by
 * one thread: JDK 25 with the JDK's own accessors 570-600 ns through {@code newInstance}, 630-715
 * through the handle; with native accessors 775-861 through {@code newInstance}, 600-670 through
 * the handle (the rounds of 2 programs); JDK 17, medians of 3 programs, 526 through
 * {@code newInstance}, 610 through the handle.
 */
final class RecordShape {
    private static final ClassValue<RecordShape> SHAPES = new ClassValue<>() {
        @Override
        protected RecordShape computeValue(Class<?> type) {
            return lookUp(type, NATIVE_ACCESSORS);
        }
    };

    /**
     * Each component's getter: {@code (Object)int}, {@code (Object)long} or {@code (Object)double}
     * as {@link #primitiveTags} says, else {@code (Object)Object}; null when refused.
     */
    final MethodHandle[] getters;
    /** {@link ValueCodec#INT}, {@link ValueCodec#LONG} or {@link ValueCodec#DOUBLE} for a component of that primitive type, else 0. */
    final byte[] primitiveTags;
    /** Whether this JVM's reflection uses native accessors: then records are made through {@link #spreading}. */
    private static final boolean NATIVE_ACCESSORS = Boolean.getBoolean(Serialization.NATIVE_ACCESSORS_PROPERTY);

    /** Why records of this class are not encoded directly (they go to JDK serialization), or null. */
    final String refusal;
    private final Constructor<?> constructor;
    /**
     * With native accessors, the canonical constructor as {@code (Object[])Object}, spreading the
     * components over its parameters; else null.
     */
    private final MethodHandle spreading;
    /** For {@link #spreading}: each component's class as a components array holds it (a primitive's box class). */
    private final Class<?>[] componentClasses;
    /** For {@link #spreading}: whether each component is of a primitive type (never null, then). */
    private final boolean[] primitive;

    private RecordShape(MethodHandle[] getters, byte[] primitiveTags, Constructor<?> constructor,
                        MethodHandle spreading, String refusal) {
        this.getters = getters;
        this.primitiveTags = primitiveTags;
        this.constructor = constructor;
        this.spreading = spreading;
        this.refusal = refusal;
        Class<?>[] types = spreading == null ? new Class<?>[0] : constructor.getParameterTypes(); // the handle's alone
        this.componentClasses = new Class<?>[types.length];
        this.primitive = new boolean[types.length];
        for (int i = 0; i < types.length; i++) {
            primitive[i] = types[i].isPrimitive();
            componentClasses[i] = MethodType.methodType(types[i]).wrap().returnType();
        }
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
        if (spreading != null) {
            checkTypes(components);
            try {
                return (Object) spreading.invokeExact(components);
            } catch (Throwable e) {
                throw refusedBy(e);
            }
        }
        try {
            return constructor.newInstance(components);
        } catch (InvocationTargetException e) {
            throw refusedBy(e.getCause());
        } catch (IllegalArgumentException e) {
            throw otherTypes(e.getMessage());
        } catch (InstantiationException | IllegalAccessException e) {
            throw new InvalidClassException(className(), e.toString());
        }
    }

    /** @return the failure of a canonical constructor that refused the values, as JDK serialization reports it */
    private InvalidObjectException refusedBy(Throwable cause) {
        InvalidObjectException refused = new InvalidObjectException("record " + className()
                + " refused its components: " + cause);
        refused.initCause(cause);
        return refused;
    }

    /** @return the failure of components of other types than the class declares: bytes not written by the encoding */
    private InvalidObjectException otherTypes(String which) {
        return new InvalidObjectException("a record " + className() + " with components of other types than its class's: "
                + which);
    }

    /** Refuses components that {@link #spreading} would not take as {@code newInstance} would not. */
    private void checkTypes(Object[] components) throws InvalidObjectException {
        if (components.length != componentClasses.length) {
            throw otherTypes(components.length + " components, where it has " + componentClasses.length);
        }
        for (int i = 0; i < components.length; i++) {
            Object component = components[i];
            if (component == null ? primitive[i] : !componentClasses[i].isInstance(component)) {
                throw otherTypes("component " + i + " is " + (component == null ? "null" : "a " + component.getClass().getName())
                        + ", declared " + componentClasses[i].getName());
            }
        }
    }

    private String className() {
        return constructor.getDeclaringClass().getName();
    }

    /**
     * @param throughHandle whether records are to be made through {@link #spreading} (as in a JVM
     *     whose reflection uses native accessors), else through {@code newInstance}
     */
    static RecordShape lookUp(Class<?> type, boolean throughHandle) {
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
            MethodHandle spreading = !throughHandle ? null : MethodHandles.lookup().unreflectConstructor(constructor)
                    .asSpreader(Object[].class, types.length).asType(MethodType.methodType(Object.class, Object[].class));
            return new RecordShape(getters, primitiveTags, constructor, spreading, null);
        } catch (NoSuchFieldException | NoSuchMethodException | IllegalAccessException | SecurityException e) {
            return refused(e.toString());
        }
    }

    private static RecordShape refused(String why) {
        return new RecordShape(null, null, null, null, why);
    }
}
