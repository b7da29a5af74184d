package io.github.multiprocessing4j.internal.util;

/**
 * A system property that gives a duration in seconds, read at each call (a program may change it
 * meanwhile). An unset property is the default without a parse: the spares' thread reads its
 * property at each of its looks, and a parse of nothing throws.
 */
public final class SecondsProperty {
    private SecondsProperty() {
    }

    /**
     * @param name the system property
     * @param defaultSeconds what an unset, malformed or negative value stands for
     * @return the property's seconds, 0 or more
     */
    public static double read(String name, double defaultSeconds) {
        String value = System.getProperty(name);
        if (value == null) {
            return defaultSeconds;
        }
        try {
            double seconds = Double.parseDouble(value); // blanks around it are ignored
            return seconds >= 0 ? seconds : defaultSeconds;
        } catch (NumberFormatException e) {
            return defaultSeconds;
        }
    }
}
