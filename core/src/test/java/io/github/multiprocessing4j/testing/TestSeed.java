package io.github.multiprocessing4j.testing;

/**
 * The seed of a test's randomness, printed so that a failure can be replayed: the system property
 * {@value #PROPERTY} when it is set ({@code mvn test -Dmp4j.test.seed=...}), else a new one.
 */
public final class TestSeed {
    public static final String PROPERTY = "mp4j.test.seed";

    private TestSeed() {
    }

    /** @return the seed for {@code test}, printed with how to replay it */
    public static long of(Class<?> test) {
        String given = System.getProperty(PROPERTY);
        long seed = given != null ? Long.parseLong(given.trim()) : System.nanoTime();
        System.out.printf("%s: random seed %d (replay with -D%s=%d)%n", test.getSimpleName(), seed, PROPERTY, seed);
        return seed;
    }
}
