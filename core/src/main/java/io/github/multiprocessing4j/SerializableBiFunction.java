package io.github.multiprocessing4j;

import java.io.Serializable;

/**
 * A function of two arguments that can be sent to another process: what
 * {@link ProcessPool#starmap} and {@link ProcessPool#starmapAsync} apply in the workers to each
 * pair. A lambda assigned to this type is serializable; what it captures must be serializable
 * too.
 *
 * <p>Like {@link SerializableFunction}, it does not extend its JDK counterpart
 * ({@link java.util.function.BiFunction}), so that {@link #apply} may throw checked exceptions.
 *
 * @param <T> the first argument's type
 * @param <U> the second argument's type
 * @param <R> the result type
 */
@FunctionalInterface
public interface SerializableBiFunction<T, U, R> extends Serializable {
    /**
     * Applies the function.
     *
     * @param t the first argument
     * @param u the second argument
     * @return the result
     * @throws Exception anything; it is reported to the caller that asked for the result
     */
    R apply(T t, U u) throws Exception;
}
