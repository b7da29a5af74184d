/**
 * Backends: where the state of the library's objects lives. The public types
 * ({@link io.github.multiprocessing4j.ProcessQueue}, {@link io.github.multiprocessing4j.ProcessLock},
 * {@link io.github.multiprocessing4j.SharedLong}, ...) keep it in shared memory by default; a
 * backend keeps it elsewhere (the {@code multiprocessing4j-redis} module: on a Redis server), and
 * the public type's {@code over(backend)} factory makes an object of the public type over it, so
 * that code written against the public types runs on either.
 *
 * <p>For implementers, not for applications. The rules every backend follows:
 * <ul>
 *   <li>Only JDK types in the interfaces: this package depends on nothing else of the library.</li>
 *   <li>Timeouts are in nanoseconds: negative waits as long as it takes, zero does not wait.</li>
 *   <li>A backend is {@link java.io.Serializable}: the public object travels to other processes
 *       (in a child's target, in a queue item, in a pool task) with its backend, and the
 *       deserialized backend must reach the same state from there (for a remote backend: find
 *       or make its connection in the receiving process, without carrying secrets).</li>
 *   <li>Failures of the backend's own medium (a server that cannot be reached) are unchecked
 *       exceptions of the backend's choosing, named in its documentation; argument checks and
 *       the documented exceptions of the public method stay the public type's.</li>
 * </ul>
 */
package io.github.multiprocessing4j.spi;
