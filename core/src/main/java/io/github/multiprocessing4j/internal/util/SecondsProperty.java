package io.github.multiprocessing4j.internal.util;

/** A system property that gives a duration in seconds, read at each call (a program may change it meanwhile). */
public final class SecondsProperty {
    private SecondsProperty() {
    }

    /**
     * @param name the system property
     * @param defaultSeconds what an unset, malformed or negative value stands for
     * @return the property's seconds, 0 or more
     */
    public static double read(String name, double defaultSeconds) {
        try {
            double seconds = Double.parseDouble(System.getProperty(name, ""));
            return seconds >= 0 ? seconds : defaultSeconds;
        } catch (NumberFormatException e) {
            return defaultSeconds;
        }
    }
}
