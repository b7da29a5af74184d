package io.github.multiprocessing4j;

import java.io.Serializable;

/**
 * A function that can be sent to another process: what {@link ProcessPool#map},
 * {@link ProcessPool#imap} and {@link ProcessPool#imapUnordered} apply in the workers. A lambda
 * assigned to this type is serializable; what it captures must be serializable too.
 *
 * <p>Unlike {@link SerializableRunnable} and {@link SerializableCallable}, it does not extend its
 * JDK counterpart ({@link java.util.function.Function}): no method of the library takes both, so
 * no call is ambiguous, and {@link #apply} keeps the name a class implementing it uses while it
 * may throw checked exceptions, which {@code Function.apply} may not.
 *
 * @param <T> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Serializable {
    /**
     * Applies the function.
     *
     * @param t the argument
     * @return the result
     * @throws Exception anything; it is reported to the caller that asked for the result
     */
    R apply(T t) throws Exception;
}
