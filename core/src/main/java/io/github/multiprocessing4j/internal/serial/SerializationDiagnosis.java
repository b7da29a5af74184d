package io.github.multiprocessing4j.internal.serial;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Says which object made the serialization of a value fail and how the value reached it: the
 * value itself, a lambda whose type is not serializable, a lambda's enclosing object
 * ({@code this}), an inner class's enclosing object, a value a lambda captures, or an object in a
 * field.
 *
 * <p>Implementation notes. {@link NotSerializableException} names only a class, which misleads
 * when that class is the user's own: the lambda that captured it through a field access is
 * nowhere in the message. So, once serialization has failed (never on the way that works), the
 * value is written again to a stream that discards its bytes, with object replacement on: an
 * {@link ObjectOutputStream} hands every new object it is about to write to
 * {@link ObjectOutputStream#replaceObject} (after {@code writeReplace}, so a serializable lambda
 * shows up as its {@link SerializedLambda}); the one it cannot write is the last it hands over
 * before the exception, which it writes into the stream before throwing it. The objects seen
 * before it tell where it was. A lambda's recipe whose
 * implementation is an instance method and whose first captured value is the object at fault, an
 * instance of the capturing class, has captured its enclosing object: a lambda that uses a field
 * or method of {@code this}, or a method reference {@code this::m}. Writing the value twice runs
 * its classes' {@code writeObject} and {@code writeReplace} methods twice; none of the library's
 * has a side effect.
 */
final class SerializationDiagnosis {
    private static final String NOT_SERIALIZABLE = ", which does not implement java.io.Serializable";

    private SerializationDiagnosis() {
    }

    /**
     * Explains why {@code value} could not be serialized.
     *
     * @param value what was serialized
     * @param elementsAreValues whether {@code value} is an array made to hold the values the
     *     message is about (a section's objects), whose elements count as values themselves
     * @param what what the value is ("target", "item")
     * @param failure what serialization threw
     * @return the message: the value's role, the object at fault and how the value reached it
     */
    static String explain(Object value, boolean elementsAreValues, String what, NotSerializableException failure) {
        String start = "the " + what + " is not serializable: ";
        Object culprit = null;
        Recorder recorder = null;
        try {
            recorder = new Recorder();
            recorder.writeObject(value);
        } catch (NotSerializableException expected) {
            culprit = recorder.objectBefore(expected);
        } catch (IOException | RuntimeException e) {
            // failed another way this time: say only what the first failure said
        }
        if (culprit == null || !culprit.getClass().getName().equals(failure.getMessage())) {
            return start + "it is or refers to an instance of " + failure.getMessage() + NOT_SERIALIZABLE;
        }
        boolean isValue = culprit == value || elementsAreValues && value instanceof Object[] && contains((Object[]) value, culprit);
        return start + recorder.describe(culprit, isValue);
    }

    private static boolean contains(Object[] values, Object culprit) {
        for (Object v : values) {
            if (v == culprit) {
                return true;
            }
        }
        return false;
    }

    /** Writes nothing; keeps every object handed to it, and the lambdas' recipes among them. */
    private static final class Recorder extends ObjectOutputStream {
        private final List<Object> seen = new ArrayList<>();
        private final List<SerializedLambda> lambdas = new ArrayList<>();

        Recorder() throws IOException {
            super(OutputStream.nullOutputStream());
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            seen.add(obj);
            if (obj instanceof SerializedLambda) {
                lambdas.add((SerializedLambda) obj);
            }
            return obj;
        }

        /**
         * Finds the object at fault: the stream writes the exception it throws into itself, so
         * that object is the one handed over just before that exception. What came after is
         * forgotten. (A stream that did not write it would have handed over the object at fault
         * last.)
         *
         * @return the object at fault, or null when nothing was handed over
         */
        Object objectBefore(NotSerializableException thrown) {
            for (int i = 1; i < seen.size(); i++) {
                if (seen.get(i) == thrown) {
                    seen.subList(i, seen.size()).clear();
                    break;
                }
            }
            return seen.isEmpty() ? null : seen.get(seen.size() - 1);
        }

        /** @return how the value reached {@code culprit}, and what to do about it where that is clear */
        String describe(Object culprit, boolean isValue) {
            String type = culprit.getClass().getName();
            Class<?> culpritClass = culprit.getClass();
            if (culpritClass.isHidden() && culpritClass.isSynthetic() && type.contains("$$Lambda")) {
                return (isValue ? "it is" : "it refers to") + " a lambda of " + type.substring(0, type.indexOf("$$Lambda"))
                        + " whose type is not serializable: a lambda is serializable only when the type it is"
                        + " given is (SerializableRunnable, SerializableCallable, SerializableFunction, or a cast"
                        + " such as (Callable<T> & Serializable)); one written in the call of a method that takes"
                        + " a plain Runnable or Callable, such as invokeAll(List.of(...)) or submit() on a variable"
                        + " typed ExecutorService (type it ProcessPool), is not";
            }
            for (SerializedLambda lambda : lambdas) {
                if (capturesAsThis(lambda, culprit)) {
                    return "a lambda in " + className(lambda.getCapturingClass()) + " uses a field or method of its"
                            + " enclosing object, so it captures 'this', an instance of " + type + NOT_SERIALIZABLE
                            + " (copy what the lambda needs into a local variable first, make the method it calls"
                            + " static, or make " + type + " serializable)";
                }
            }
            for (Object holder : seen) {
                if (holder != culprit && enclosingInstanceOf(holder) == culprit) {
                    return holder.getClass().getName() + ", an inner or anonymous class, refers to its enclosing"
                            + " object, an instance of " + type + NOT_SERIALIZABLE + " (make it a lambda or a static"
                            + " nested class, or make " + type + " serializable)";
                }
            }
            if (isValue) {
                return "it is an instance of " + type + NOT_SERIALIZABLE;
            }
            for (SerializedLambda lambda : lambdas) {
                for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                    if (lambda.getCapturedArg(i) == culprit) {
                        return "a lambda in " + className(lambda.getCapturingClass()) + " captures an instance of "
                                + type + NOT_SERIALIZABLE;
                    }
                }
            }
            String where = whereHeld(culprit);
            return "it refers to an instance of " + type + (where != null ? " (" + where + ")" : "") + NOT_SERIALIZABLE;
        }

        /** @return whether {@code lambda} is bound to {@code culprit} as its enclosing object */
        private static boolean capturesAsThis(SerializedLambda lambda, Object culprit) {
            int kind = lambda.getImplMethodKind();
            if (lambda.getCapturedArgCount() == 0 || lambda.getCapturedArg(0) != culprit
                    || kind == MethodHandleInfo.REF_invokeStatic || kind == MethodHandleInfo.REF_newInvokeSpecial) {
                return false;
            }
            String capturing = className(lambda.getCapturingClass());
            for (Class<?> c = culprit.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals(capturing)) {
                    return true;
                }
            }
            return false;
        }

        /** @return the object an inner class's instance refers to as its enclosing one, or null */
        private static Object enclosingInstanceOf(Object holder) {
            for (Class<?> c = holder.getClass(); c != null && c.getEnclosingClass() != null; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (field.isSynthetic() && field.getName().startsWith("this$") && field.trySetAccessible()) {
                        try {
                            return field.get(holder);
                        } catch (IllegalAccessException e) {
                            return null;
                        }
                    }
                }
            }
            return null;
        }

        /** @return the field or array that holds {@code culprit} among the objects written, or null */
        private String whereHeld(Object culprit) {
            for (Object holder : seen) {
                if (holder == culprit) {
                    continue;
                }
                if (holder.getClass().isArray() && !holder.getClass().getComponentType().isPrimitive()) {
                    for (int i = 0; i < Array.getLength(holder); i++) {
                        if (Array.get(holder, i) == culprit) {
                            return "an element of a " + holder.getClass().getComponentType().getName() + "[]";
                        }
                    }
                    continue;
                }
                for (Class<?> c = holder.getClass(); c != null; c = c.getSuperclass()) {
                    for (Field field : c.getDeclaredFields()) {
                        if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()
                                || !field.getType().isInstance(culprit) || !field.trySetAccessible()) {
                            continue;
                        }
                        try {
                            if (field.get(holder) == culprit) {
                                return "field " + c.getName() + "." + field.getName();
                            }
                        } catch (IllegalAccessException e) {
                            // not readable: looked for elsewhere
                        }
                    }
                }
            }
            return null;
        }

        private static String className(String internalName) {
            return internalName.replace('/', '.');
        }
    }
}
