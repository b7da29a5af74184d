package io.github.multiprocessing4j;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can be sent to another process: a task for
 * {@link ProcessPool#submit(SerializableCallable)}, {@link ProcessPool#apply} and
 * {@link ProcessPool#invokeAll(SerializableCallable...)}. A lambda assigned to this type is
 * serializable; what it captures must be serializable too. Being a {@code Callable}, it is the
 * more specific type where a method takes either, so Java picks it for a lambda that returns a
 * value; its {@link #call()} may throw checked exceptions.
 *
 * @param <V> the result type, which must itself be serializable to travel back
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {
}
