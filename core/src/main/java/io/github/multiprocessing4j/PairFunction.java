package io.github.multiprocessing4j;

/**
 * A {@link SerializableBiFunction} as the one-argument function a pool's workers apply: its
 * argument is a pair unpacked by {@code internal.pool.StarArguments} into an array of two.
 * What {@link ProcessPool#starmap} sends to the workers.
 *
 * @param <A> the first argument's type
 * @param <B> the second argument's type
 * @param <R> the result type
 */
final class PairFunction<A, B, R> implements SerializableFunction<Object[], R> {
    private static final long serialVersionUID = 1L;
    private final SerializableBiFunction<A, B, R> function;

    PairFunction(SerializableBiFunction<A, B, R> function) {
        this.function = function;
    }

    @Override
    @SuppressWarnings("unchecked") // the types are the caller's, checked by the compiler there
    public R apply(Object[] pair) throws Exception {
        return function.apply((A) pair[0], (B) pair[1]);
    }
}
