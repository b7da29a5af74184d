package io.github.multiprocessing4j;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can be sent to another process. A lambda assigned to this type is
 * serializable; what it captures must be serializable too.
 *
 * @param <V> the result type, which must itself be serializable to travel back
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {
}
