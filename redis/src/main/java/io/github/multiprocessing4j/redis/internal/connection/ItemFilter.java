package io.github.multiprocessing4j.redis.internal.connection;

import java.io.ObjectInputFilter;
import java.util.List;

/**
 * The allow-list through which everything read from the server is deserialized: the library's
 * own types, the JDK's value types (boxed primitives, strings, collections, time, big numbers,
 * arrays of them) and a lambda's serialized form, plus what the user allowed. Anything else is
 * refused: a stream naming a refused class fails with an {@link java.io.InvalidClassException}
 * that names it, before any of its code runs.
 */
public final class ItemFilter {
    /** Allowed whatever the user says. A lambda also needs its capturing class allowed. */
    static final String BUILT_IN = "maxdepth=200;"
            + "io.github.multiprocessing4j.**;"
            + "java.lang.*;java.util.*;java.time.*;java.math.*;java.lang.invoke.SerializedLambda;"
            + "java.util.concurrent.atomic.*;java.util.concurrent.ConcurrentHashMap;java.net.URI;java.util.UUID";

    private ItemFilter() {
    }

    /** @return a filter allowing the built-in list and {@code userPatterns}, refusing the rest */
    public static ObjectInputFilter allowing(List<String> userPatterns) {
        StringBuilder spec = new StringBuilder(BUILT_IN);
        for (String pattern : userPatterns) {
            spec.append(';').append(pattern);
        }
        spec.append(";!*");
        return ObjectInputFilter.Config.createFilter(spec.toString());
    }

    /** The hint a refused class's error carries. */
    public static String howToAllow(String className) {
        String pkg = className.lastIndexOf('.') > 0 ? className.substring(0, className.lastIndexOf('.')) : className;
        return "class " + className + " is not allowed to be deserialized from the server: allow it with "
                + "Cluster.builder(url).allowClasses(\"" + pkg + ".*\") (and mp4j worker --allow " + pkg + ".*)";
    }
}
