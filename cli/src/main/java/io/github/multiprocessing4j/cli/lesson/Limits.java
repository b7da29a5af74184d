package io.github.multiprocessing4j.cli.lesson;

/** Range checks of the lessons' numbers, with the one-line reasons the command line shows. */
final class Limits {
    /**
     * The longest delay or timeout a lesson's option may ask for: every wait of the lessons is
     * seconds at most, and a longer one only makes a lesson look hung.
     */
    static final long MAX_DELAY_MILLIS = 10_000;

    private Limits() {
    }

    /** @throws IllegalArgumentException unless {@code 0 <= millis <= }{@link #MAX_DELAY_MILLIS}, with the reason */
    static void delayMillis(String option, long millis) {
        atLeast(option, millis, 0);
        atMost(option, millis, MAX_DELAY_MILLIS, "");
    }

    /** @throws IllegalArgumentException "--option must be at least MIN, not VALUE" */
    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", not " + value);
        }
    }

    /**
     * @param why appended to the reason, e.g. " (each is a JVM)", or ""
     * @throws IllegalArgumentException "--option must be at most MAX, not VALUE"
     */
    static void atMost(String option, long value, long max, String why) {
        if (value > max) {
            throw new IllegalArgumentException(option + " must be at most " + max + why + ", not " + value);
        }
    }
}
