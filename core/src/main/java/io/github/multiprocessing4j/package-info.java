/**
 * Python's {@code multiprocessing} for Java: child processes that run serializable lambdas
 * ({@link io.github.multiprocessing4j.ChildProcess}), a process pool
 * ({@link io.github.multiprocessing4j.ProcessPool}), and locks, queues, pipes and shared values
 * that every process of a tree uses.
 *
 * <h2 id="static-fields">Shared objects in static fields</h2>
 *
 * <p>Every child is a new JVM, which runs the static initialiser of each class it uses again: a
 * child loads the class of its target, a pool worker the class of each task's lambda. A shared
 * object made by a static initialiser is therefore the tree's: the first process of the tree that
 * initialises the class makes it, and every other process that initialises the class gets that
 * same object, not a new one (as Python's {@code fork} start method shares a module's objects):
 *
 * <pre>{@code
 * public class Main {
 *     static final ProcessLock LOCK = new ProcessLock();
 *     static final SharedLong COUNTER = new SharedLong(); // one counter for the whole tree
 *
 *     public static void main(String[] args) throws InterruptedException {
 *         ChildProcess child = new ChildProcess(() -> {
 *             LOCK.lock();
 *             try { COUNTER.set(COUNTER.get() + 1); } finally { LOCK.unlock(); }
 *         });
 *         child.start();
 *         child.join();
 *         System.out.println(COUNTER.get()); // 1
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Identity.</b> Such an object is known by the class whose static initialiser makes it
 *   (the nearest on the stack: a helper method called by the initialiser counts as the
 *   initialiser, and a class initialised meanwhile has objects of its own), by its place among
 *   the shared objects that initialiser makes (first, second, ...), and by its class. A static
 *   initialiser must therefore make the same shared objects in the same order in every process:
 *   where another process made an object of another class at that place, the initialiser fails
 *   with an {@link java.lang.IllegalStateException}.</li>
 *   <li><b>Only the making is shared.</b> The constructor's arguments (a semaphore's value, a
 *   queue's bound, an array's initial values) are those of the process that made it first. The
 *   initialiser's other statements run again in every process: a {@code COUNTER.set(5)} or a
 *   {@code QUEUE.put(x)} in a static block runs once per process.</li>
 *   <li><b>Which objects.</b> What the constructors of {@link io.github.multiprocessing4j.ProcessLock},
 *   {@link io.github.multiprocessing4j.ProcessRLock}, {@link io.github.multiprocessing4j.ProcessSemaphore},
 *   {@link io.github.multiprocessing4j.ProcessBoundedSemaphore}, {@link io.github.multiprocessing4j.ProcessEvent},
 *   {@link io.github.multiprocessing4j.ProcessCondition} (and {@code newCondition()}),
 *   {@link io.github.multiprocessing4j.ProcessBarrier}, {@link io.github.multiprocessing4j.SharedLong},
 *   {@link io.github.multiprocessing4j.SharedLongArray}, {@link io.github.multiprocessing4j.SharedDoubleArray},
 *   the three queues, {@link io.github.multiprocessing4j.SharedMemory#create} and
 *   {@link io.github.multiprocessing4j.Pipe#open} make. An object made {@code over} a backend
 *   (a cluster's, by name) is that backend's already, and {@code SharedMemory.attach} finds one
 *   by name.</li>
 *   <li><b>Closing.</b> Closing such an object closes the tree's: a process that initialises the
 *   class afterwards fails ({@link java.lang.ExceptionInInitializerError} caused by an
 *   {@link java.lang.IllegalStateException} saying so).</li>
 *   <li><b>A pool</b> cannot be the tree's: its workers are children of the process that made it.
 *   In the root process a pool in a static field works as any other. In a child, a pool made by a
 *   static initialiser starts no workers, and every method but {@code close()} throws
 *   {@link java.lang.IllegalStateException} naming the class and the fix; so a worker that loads
 *   the main class (because the tasks' lambdas are there) runs its tasks, and a child that uses
 *   the pool learns why it cannot. Make a pool in {@code main}, or in a holder class that only the
 *   parent uses.</li>
 *   <li><b>A {@link io.github.multiprocessing4j.ChildProcess}</b> is an object of the process that
 *   made it: a static initialiser that starts one starts it again in every process that
 *   initialises the class (and fails in a daemonic one, which may not have children).</li>
 * </ul>
 */
package io.github.multiprocessing4j;
