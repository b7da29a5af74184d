package io.github.multiprocessing4j.bench;

import java.lang.reflect.Field;

/**
 * {@code sun.misc.Unsafe}, for the bench's measurements of this machine that go below the JDK's
 * public API: unmapping a segment at once ({@link FreshSharedMemory}), words at a mapping's
 * address ({@link BareRing}).
 */
final class UnsafeAccess {
    static final sun.misc.Unsafe UNSAFE = unsafe();

    private UnsafeAccess() {
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sun.misc.Unsafe is not available", e);
        }
    }
}
