package io.github.multiprocessing4j.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The little JSON this benchmark writes: strings, numbers, lists and objects. The library has no
 * dependencies, and its benchmark needs none for its own work (PP4J and out-process are on its
 * class path only to be measured).
 */
final class Json {
    private Json() {
    }

    /** A value that is JSON text already, inserted as it is. */
    record Encoded(String text) {
    }

    /**
     * @param keysAndValues key, value, key, value, ...: keys are strings, values anything
     *     {@link #encode} takes; the order is kept
     * @return the JSON object
     */
    static String object(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values do not pair up");
        }
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.append(i == 0 ? "" : ", ").append(quote((String) keysAndValues[i])).append(": ")
                    .append(encode(keysAndValues[i + 1]));
        }
        return out.append('}').toString();
    }

    /** @return {@code [a, b, ...]} from already encoded values */
    static String array(Stream<String> encodedValues) {
        return encodedValues.collect(Collectors.joining(", ", "[", "]"));
    }

    /** Strings, numbers, {@code double[]}, lists, maps with string keys and {@link Encoded} text. */
    static String encode(Object value) {
        if (value instanceof Encoded e) {
            return e.text();
        }
        if (value instanceof String s) {
            return quote(s);
        }
        if (value instanceof Number n) {
            return number(n.doubleValue());
        }
        if (value instanceof double[] values) {
            return array(Arrays.stream(values).mapToObj(Json::number));
        }
        if (value instanceof List<?> list) {
            return array(list.stream().map(Json::encode));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> quote((String) e.getKey()) + ": " + encode(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        throw new IllegalArgumentException("no JSON for " + value);
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Integral values without a fraction (as Python writes ints), others in full precision. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null"; // JSON has no NaN; Python's reader would choke on it
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
