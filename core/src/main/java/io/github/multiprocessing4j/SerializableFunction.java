package io.github.multiprocessing4j;

import java.io.Serializable;

/**
 * A function that can be sent to another process. A lambda assigned to this type is
 * serializable; what it captures must be serializable too.
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
