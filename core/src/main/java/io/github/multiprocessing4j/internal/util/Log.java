package io.github.multiprocessing4j.internal.util;

/**
 * The library's {@link System.Logger}s, created on first use.
 *
 * <p>Implementation notes. Creating a {@code System.Logger} boots the JDK's logging back end,
 * which costs a child JVM tens of milliseconds of start-up; a child that never logs must not pay
 * for it, so no class keeps a logger in a static field.
 */
public final class Log {
    private Log() {
    }

    /** @return the logger named after {@code owner} */
    public static System.Logger of(Class<?> owner) {
        return System.getLogger(owner.getName());
    }
}
