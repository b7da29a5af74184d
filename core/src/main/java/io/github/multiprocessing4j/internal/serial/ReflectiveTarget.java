package io.github.multiprocessing4j.internal.serial;

import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * A process's target run straight from its lambda's recipe: the lambda's implementation method,
 * called by reflection with the captured values.
 *
 * <p>Implementation notes. Rebuilding a lambda links the call site in its capturing class's
 * {@code $deserializeLambda$}: the JVM spins and defines a class for the lambda, which costs a
 * child 1 to 4 ms even when an earlier lambda has warmed the machinery up (a spare has), while
 * finding the method and one reflective call cost a tenth of that. A target runs once, so the
 * lambda object itself is never needed. Only the shape every lambda target has is taken: a
 * lambda whose method takes nothing and returns nothing ({@code void runWithException()}, or
 * {@code void run()}) and whose implementation is a static method of the captured values or an
 * instance method of the first captured value (a bound method reference such as
 * {@code name::length}). Anything else ({@code Foo::new}, a method whose return type differs, a
 * package not open to this library) returns null, and the caller rebuilds the lambda.
 *
 * <p>Any other target (a rebuilt lambda, an instance of a class) is called the same way, through
 * the one abstract method, taking and returning nothing, of a public functional interface it
 * implements ({@link #ofTargetMethod}): the method a lambda of that interface implements, so that
 * what it throws reaches the child unwrapped (a {@code run()} that only wraps a checked exception
 * is a default method, and is passed over). This package knows a target only as "something with
 * such a method", never by the API's type, and a child runs every target as a {@link Callable}.
 */
final class ReflectiveTarget implements Callable<Object> {

    private final Method implementation;
    private final Object receiver;
    private final Object[] arguments;

    private ReflectiveTarget(Method implementation, Object receiver, Object[] arguments) {
        this.implementation = implementation;
        this.receiver = receiver;
        this.arguments = arguments;
    }

    /** @return the call that runs the lambda of {@code recipe}, or null when it has another shape */
    static ReflectiveTarget of(Class<?> capturingClass, SerializedLambda recipe) {
        if (!recipe.getFunctionalInterfaceMethodSignature().equals("()V")) {
            return null;
        }
        int kind = recipe.getImplMethodKind();
        boolean onReceiver = kind == MethodHandleInfo.REF_invokeVirtual || kind == MethodHandleInfo.REF_invokeInterface
                || kind == MethodHandleInfo.REF_invokeSpecial;
        if (kind != MethodHandleInfo.REF_invokeStatic && !onReceiver) {
            return null;
        }
        Object[] captured = new Object[recipe.getCapturedArgCount()];
        for (int i = 0; i < captured.length; i++) {
            captured[i] = recipe.getCapturedArg(i);
        }
        if (onReceiver && (captured.length == 0 || captured[0] == null)) {
            return null; // the rebuilt lambda reports a null receiver its own way
        }
        try {
            ClassLoader loader = capturingClass.getClassLoader();
            Class<?> owner = Class.forName(recipe.getImplClass().replace('/', '.'), false, loader);
            MethodType type = MethodType.fromMethodDescriptorString(recipe.getImplMethodSignature(), loader);
            Method method = owner.getDeclaredMethod(recipe.getImplMethodName(), type.parameterArray());
            if (method.getReturnType() != type.returnType() || Modifier.isStatic(method.getModifiers()) == onReceiver
                    || !method.trySetAccessible()) {
                return null;
            }
            return onReceiver
                    ? new ReflectiveTarget(method, captured[0], Arrays.copyOfRange(captured, 1, captured.length))
                    : new ReflectiveTarget(method, null, captured);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // rebuilding the lambda reports the problem, if there is one
        }
    }

    /**
     * @return the call of {@code target}'s target method: the one abstract method, taking and
     *     returning nothing, of a public functional interface it implements (a rebuilt lambda's
     *     interface, a target class's interface), the first one found from its class up
     * @throws ClassCastException when it has no such method: it is not a process's target
     */
    static ReflectiveTarget ofTargetMethod(Object target) {
        for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> face : type.getInterfaces()) {
                Method method = targetMethodOf(face);
                if (method != null) {
                    return new ReflectiveTarget(method, target, new Object[0]);
                }
            }
        }
        throw new ClassCastException("not a process's target (no public functional interface whose method takes"
                + " and returns nothing): " + target.getClass().getName());
    }

    private static Method targetMethodOf(Class<?> face) {
        if (Modifier.isPublic(face.getModifiers())) {
            Method method = functionalMethodOf(face);
            if (method != null && method.getParameterCount() == 0 && method.getReturnType() == void.class) {
                return method;
            }
        }
        for (Class<?> superInterface : face.getInterfaces()) {
            Method method = targetMethodOf(superInterface);
            if (method != null) {
                return method;
            }
        }
        return null;
    }

    /** @return the one abstract method of {@code face}, or null when it has none or several */
    private static Method functionalMethodOf(Class<?> face) {
        Method single = null;
        for (Method method : face.getMethods()) {
            if (!Modifier.isAbstract(method.getModifiers()) || isObjectMethod(method)) {
                continue;
            }
            try {
                if (face.getMethod(method.getName(), method.getParameterTypes()).isDefault()) {
                    continue; // an inherited abstract method that a default method here implements
                }
            } catch (NoSuchMethodException e) {
                continue; // not reached: the method was listed
            }
            if (single != null) {
                return null;
            }
            single = method;
        }
        return single;
    }

    private static boolean isObjectMethod(Method method) {
        try {
            Object.class.getMethod(method.getName(), method.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /**
     * Runs the target.
     *
     * @return null
     * @throws Exception what the target throws
     */
    @Override
    public Object call() throws Exception {
        try {
            implementation.invoke(receiver, arguments);
            return null;
        } catch (InvocationTargetException e) {
            Throwable thrown = e.getCause();
            if (thrown instanceof Exception) {
                throw (Exception) thrown;
            }
            throw (Error) thrown; // a target's run() throws nothing else
        }
    }

    /** @return the target's own text, for a target that is an object */
    @Override
    public String toString() {
        return receiver != null && arguments.length == 0 ? receiver.toString() : "target " + implementation;
    }
}
