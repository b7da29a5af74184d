package io.github.multiprocessing4j.cli.lesson;

/** Range checks of the lessons' numbers, with the one-line reasons the command line shows. */
final class Limits {
    private Limits() {
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
