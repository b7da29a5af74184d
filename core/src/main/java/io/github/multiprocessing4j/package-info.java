/**
 * Python's {@code multiprocessing} for Java: child processes that run serializable lambdas
 * ({@link io.github.multiprocessing4j.ChildProcess}), a process pool
 * ({@link io.github.multiprocessing4j.ProcessPool}), and locks, queues, pipes and shared values
 * that every process of a tree uses.
 *
 * <h2 id="close">close() and unlink()</h2>
 *
 * <p>As in Python, {@code close()} of a queue, a pipe's {@link io.github.multiprocessing4j.Connection}
 * or a shared object (a lock, a semaphore, an event, a condition, a barrier, a shared value or
 * array) says that <em>this process</em> is done with it: its further use through that handle
 * here throws {@link java.lang.IllegalStateException} saying so, and the other processes keep
 * using the object. So a parent may close its own copy of a queue, or of the pipe end it gave a
 * child, right after {@code start()} (the CPython documentation recommends it for pipes), and
 * {@code try (var q = new ProcessQueue<>()) { ... }} in a parent does not break the children
 * that still use the queue when the block ends. {@code unlink()} ends an object for every
 * process, as {@link io.github.multiprocessing4j.SharedMemory#unlink()} does: a queue refuses
 * puts everywhere and its consumers drain it, then fail; a pipe fails at both ends everywhere;
 * a shared object's name goes (handles that exist keep working until closed; a handle sent
 * afterwards cannot be reached).
 *
 * <p>Where the memory goes: a pipe's when, for each end, every process that used it closed it
 * or died (the process whose close makes it so frees it; a pipe end's users are tracked, which is
 * also what gives the peer its {@link java.io.EOFException}); a queue's or a shared object's at
 * {@code close()} when its handle never left the process that made it (not sent to a child, a
 * pool task or another queue, and not made by a static initialiser), else with {@code unlink()}
 * (a queue once it is also empty) or when the last process of the tree ends. Which processes hold
 * a queue or a shared object is not tracked: a handle can travel in a queue item that no process
 * holds. An object made {@code over} a backend (a cluster's) leaves both calls to the backend.
 * Every such object is an {@link io.github.multiprocessing4j.Unlinkable}, so a program that is done
 * with several (its children joined) unlinks them alike.
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
 *   <li><b>Closing.</b> {@code close()} of such an object ends only the calling process's use, as
 *   for any shared object (see <a href="#close">close() and unlink()</a>); it goes when the tree
 *   ends. {@code unlink()} ends the tree's: a process that initialises the class afterwards fails
 *   ({@link java.lang.ExceptionInInitializerError} caused by an {@link java.lang.IllegalStateException}
 *   saying so).</li>
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
 *
 * <h2 id="python">Python &rarr; Java</h2>
 *
 * <p>Every name of the lesson and of CPython's {@code multiprocessing} documentation, with its
 * counterpart here (in this package unless the row says otherwise) or what to use where there is
 * none. The rule for the rest: {@code snake_case} becomes {@code camelCase} ({@code is_alive()} is
 * {@code isAlive()}), a {@code timeout=} argument becomes a {@link java.time.Duration}, and an
 * attribute becomes a method ({@code p.pid} is {@code p.pid()}).
 *
 * <table class="striped">
 * <caption>Python's multiprocessing and its counterparts</caption>
 * <thead>
 * <tr><th scope="col">Python</th><th scope="col">multiprocessing4j</th><th scope="col">Notes</th></tr>
 * </thead>
 * <tbody>
 * <tr><th scope="rowgroup" colspan="3">Processes</th></tr>
 * <tr><td>{@code Process(target=f, args=(a,))}</td>
 *     <td>{@code new ChildProcess(() -> f(a))}, {@code ChildProcess.builder(() -> f(a)).name(n).daemon(true).build()}</td>
 *     <td>{@code args}, {@code kwargs}: the variables the lambda captures, copied to the child</td></tr>
 * <tr><td>{@code p.start()}, {@code p.join()}, {@code p.join(timeout)}</td>
 *     <td>{@code start()}, {@code join()}, {@code join(Duration)}</td>
 *     <td>{@code join(Duration)} returns whether the child has exited</td></tr>
 * <tr><td>{@code p.is_alive()}, {@code p.pid}, {@code p.name}, {@code p.daemon}, {@code p.exitcode}</td>
 *     <td>{@code isAlive()}, {@code pid()}, {@code name()}, {@code setName(...)}, {@code isDaemon()}, {@code setDaemon(...)}, {@code exitCode()}</td>
 *     <td>{@code exitCode()} is an {@code OptionalInt}, empty while the child runs; Python's values (0, 1, n, -N)</td></tr>
 * <tr><td>{@code p.terminate()}, {@code p.kill()}</td>
 *     <td>{@code terminate()}, {@code kill()}</td>
 *     <td>SIGTERM, SIGKILL</td></tr>
 * <tr><td>{@code p.close()}</td>
 *     <td>none</td>
 *     <td>nothing to release: a child is reaped as soon as it exits</td></tr>
 * <tr><td>{@code p.sentinel}</td>
 *     <td>the {@code ChildProcess} itself in {@code Multiprocessing.waitAny(...)}; {@code toHandle().onExit()}</td>
 *     <td>{@code waitAny} finds it ready once it has ended; {@code onExit()} is a {@code CompletableFuture}</td></tr>
 * <tr><td>a subclass of {@code Process} that overrides {@code run()}</td>
 *     <td>a lambda or method reference as the target</td>
 *     <td>{@code ChildProcess} is final</td></tr>
 * <tr><td>an exception in the child</td>
 *     <td>exit code 1, the stack trace on the child's stderr, the exception in {@code failure()}</td>
 *     <td></td></tr>
 * <tr><td>{@code current_process()}</td>
 *     <td>{@code Multiprocessing.currentProcess()}</td>
 *     <td>a {@code ProcessInfo}: {@code pid()}, {@code name()}, {@code isDaemon()}, {@code isAlive()}</td></tr>
 * <tr><td>{@code parent_process()}</td>
 *     <td>{@code Multiprocessing.parentProcess()}</td>
 *     <td>an {@code Optional}, empty in a JVM that the library did not start; names the parent even after it died</td></tr>
 * <tr><td>{@code active_children()}</td>
 *     <td>{@code Multiprocessing.activeChildren()}</td>
 *     <td>reaps the finished children, as Python's does</td></tr>
 * <tr><td>{@code cpu_count()}</td>
 *     <td>{@code Multiprocessing.cpuCount()}</td>
 *     <td></td></tr>
 * <tr><td>{@code os.getpid()}</td>
 *     <td>{@code Multiprocessing.currentProcess().pid()}, {@code ProcessHandle.current().pid()}</td>
 *     <td></td></tr>
 * <tr><td>{@code os.getppid()}</td>
 *     <td>{@code Multiprocessing.parentProcess().map(ProcessInfo::pid)}, {@code ProcessHandle.current().parent()}</td>
 *     <td>the first is the process that started this one, the second the operating system's parent now (another once orphaned)</td></tr>
 * <tr><td>{@code os.kill(pid, signal.SIGTERM)}</td>
 *     <td>{@code ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy)}</td>
 *     <td>{@code destroyForcibly} for SIGKILL</td></tr>
 * <tr><td>{@code set_start_method(...)}, {@code get_start_method()}</td>
 *     <td>{@code Multiprocessing.setStartMethod(StartMethod.COLD)}, {@code Multiprocessing.startMethod()}, {@code -Dmp4j.startMethod=cold}</td>
 *     <td>no fork (a JVM cannot fork): {@code WARM}, the default, hands the target to a JVM booted ahead (as a forkserver does); {@code COLD} boots a new one (as spawn does)</td></tr>
 * <tr><td>{@code get_context(method)}</td>
 *     <td>{@code builder(...).startMethod(...)}, {@code ProcessPool.builder().startMethod(...)}</td>
 *     <td>per process or pool instead of a context object</td></tr>
 * <tr><td>{@code if __name__ == '__main__':}, {@code freeze_support()}, {@code set_executable(...)}</td>
 *     <td>none</td>
 *     <td>not needed: a child runs the parent's {@code java} and only its target, never {@code main}</td></tr>
 * <tr><th scope="rowgroup" colspan="3">Synchronisation</th></tr>
 * <tr><td>{@code Lock()}</td>
 *     <td>{@code new ProcessLock()}</td>
 *     <td>also a {@code java.util.concurrent.locks.Lock}; a waiter takes it over from a holder that died</td></tr>
 * <tr><td>{@code acquire()}, {@code acquire(timeout=t)}, {@code acquire(False)}, {@code release()}, {@code with lock:}</td>
 *     <td>{@code acquire()}, {@code acquire(Duration)}, {@code tryLock()}, {@code release()}, {@code try (var held = lock.hold()) { ... }}</td>
 *     <td>{@code acquire(Duration)} returns whether it got the lock; not {@code try (lock)}, whose {@code close()} ends this process's use of the lock</td></tr>
 * <tr><td>a lock for unrelated programs (none in CPython: {@code posix_ipc.Semaphore(name, O_CREAT)})</td>
 *     <td>{@code ProcessLock.named(name)}, {@code ProcessLock.unlinkNamed(name)}</td>
 *     <td>get-or-create by name, for every program of the user on the machine; a waiter takes it over from a program that died holding it</td></tr>
 * <tr><td>{@code RLock()}</td>
 *     <td>{@code new ProcessRLock()}</td>
 *     <td></td></tr>
 * <tr><td>{@code Semaphore(n)}, {@code BoundedSemaphore(n)}</td>
 *     <td>{@code new ProcessSemaphore(n)}, {@code new ProcessBoundedSemaphore(n)}</td>
 *     <td>{@code acquire()}, {@code acquire(Duration)}, {@code tryAcquire()}, {@code release()}, {@code try (var held = semaphore.hold())}; the permits of a holder that died come back</td></tr>
 * <tr><td>{@code Event()}: {@code set()}, {@code clear()}, {@code is_set()}, {@code wait(timeout)}</td>
 *     <td>{@code new ProcessEvent()}: {@code set()}, {@code clear()}, {@code isSet()}, {@code await()}, {@code await(Duration)}</td>
 *     <td></td></tr>
 * <tr><td>{@code Condition(lock)}: {@code wait()}, {@code notify()}, {@code notify_all()}</td>
 *     <td>{@code new ProcessCondition(lock)} or {@code lock.newCondition()}: {@code await()}, {@code await(Duration)}, {@code signal()}, {@code signalAll()}</td>
 *     <td>{@code wait_for(predicate)}: {@code while (!predicate) condition.await();}</td></tr>
 * <tr><td>{@code Barrier(n)}: {@code wait()}, {@code reset()}, {@code abort()}, {@code broken}, {@code parties}, {@code n_waiting}</td>
 *     <td>{@code new ProcessBarrier(n)}: {@code await()}, {@code await(Duration)}, {@code reset()}, {@code abort()}, {@code isBroken()}, {@code parties()}, {@code numberWaiting()}</td>
 *     <td>{@code action}: none, run it where {@code await()} returned 0 (after the release); {@code BrokenBarrierError}: {@code BrokenBarrierException}</td></tr>
 * <tr><th scope="rowgroup" colspan="3">Queues and pipes</th></tr>
 * <tr><td>{@code Queue(maxsize)}</td>
 *     <td>{@code new ProcessQueue<>(maxSize)}</td>
 *     <td>{@code null} is refused: put a sentinel object, or {@code unlink()} the queue</td></tr>
 * <tr><td>{@code put(x)}, {@code put(x, timeout=t)}, {@code put_nowait(x)}, {@code get()}, {@code get(timeout=t)}, {@code get_nowait()}</td>
 *     <td>{@code put(x)}, {@code put(x, Duration)}, {@code putNowait(x)}, {@code get()}, {@code get(Duration)}, {@code getNowait()}; also {@code offer(x)}, {@code poll()}</td>
 *     <td>{@code queue.Full}, {@code queue.Empty}: {@code QueueFullException}, {@code QueueEmptyException}</td></tr>
 * <tr><td>{@code qsize()}, {@code empty()}, {@code full()}, {@code close()}</td>
 *     <td>{@code qsize()}, {@code isEmpty()}, {@code isFull()}, {@code close()}</td>
 *     <td>{@code close()}: this process is done with the queue, as Python's; {@code unlink()} ends it for every process (see <a href="#close">close() and unlink()</a>)</td></tr>
 * <tr><td>{@code join_thread()}, {@code cancel_join_thread()}</td>
 *     <td>none</td>
 *     <td>no feeder thread: an item is in shared memory when {@code put()} returns</td></tr>
 * <tr><td>{@code SimpleQueue()}</td>
 *     <td>{@code new ProcessSimpleQueue<>()}</td>
 *     <td>{@code put}, {@code get}, {@code isEmpty}, {@code close}</td></tr>
 * <tr><td>{@code JoinableQueue()}: {@code task_done()}, {@code join()}</td>
 *     <td>{@code new ProcessJoinableQueue<>()}: {@code taskDone()}, {@code join()}, {@code join(Duration)}</td>
 *     <td>an item whose consumer died before {@code taskDone()} is delivered again</td></tr>
 * <tr><td>{@code a, b = Pipe(duplex)}</td>
 *     <td>{@code Pipe.open()}, {@code Pipe.open(duplex)}, then {@code left()}, {@code right()}</td>
 *     <td></td></tr>
 * <tr><td>{@code Connection}: {@code send}, {@code recv}, {@code send_bytes}, {@code recv_bytes}, {@code poll(timeout)}, {@code close}</td>
 *     <td>{@code Connection}: {@code send}, {@code recv()}, {@code sendBytes}, {@code recvBytes()}, {@code poll(Duration)}, {@code close()}</td>
 *     <td>{@code close()} ends this process's use of the end, as Python's; {@code recv()} throws {@code EOFException} once every process that used the other end closed it or died; {@code unlink()} ends the pipe for every process; {@code recv_bytes_into}, {@code fileno}: none</td></tr>
 * <tr><td>{@code connection.wait(objects, timeout)}</td>
 *     <td>{@code Multiprocessing.waitAny(timeout, objects...)}, {@code waitAny(timeout, collection)}</td>
 *     <td>over connections, queues, {@code ChildProcess}es (their end), {@code ProcessHandle}s and {@code Future}s; returns the ready ones in the order given, empty on timeout; {@code timeout} null waits without limit</td></tr>
 * <tr><td>{@code connection.Listener}, {@code connection.Client}</td>
 *     <td>none</td>
 *     <td>across machines: the {@code multiprocessing4j-redis} module's {@code Cluster}</td></tr>
 * <tr><th scope="rowgroup" colspan="3">Shared memory</th></tr>
 * <tr><td>{@code Value('i', 0)}: {@code v.value}, {@code with v.get_lock(): v.value += 1}</td>
 *     <td>{@code new SharedLong(0)}: {@code get()}, {@code set(...)}, {@code incrementAndGet()}, {@code addAndGet(...)}, {@code compareAndSet(...)}</td>
 *     <td>each operation is atomic, so there is no lock to get (a {@code ProcessLock} guards several values together); {@code RawValue} too</td></tr>
 * <tr><td>{@code Value('d', x)}</td>
 *     <td>{@code new SharedDoubleArray(new double[] {x})}</td>
 *     <td>or a {@code SharedMemory}</td></tr>
 * <tr><td>{@code Array('i', n)}, {@code Array('d', n)}</td>
 *     <td>{@code new SharedLongArray(n)}, {@code new SharedDoubleArray(n)}</td>
 *     <td>{@code get(i)}, {@code set(i, v)}, {@code addAndGet(i, d)}, {@code compareAndSet(...)}, {@code toArray()}; {@code RawArray} too</td></tr>
 * <tr><td>{@code shared_memory.SharedMemory(create=True, size=n)}, {@code SharedMemory(name)}</td>
 *     <td>{@code SharedMemory.create(n)}, {@code SharedMemory.attach(name)}; for unrelated programs,
 *     {@code SharedMemory.createNamed(name, n)}, {@code SharedMemory.attachNamed(name)}</td>
 *     <td>{@code buf}: {@code buffer()}, a {@code ByteBuffer}; {@code name()}, {@code size()}, {@code close()}, {@code unlink()}</td></tr>
 * <tr><td>{@code shared_memory.ShareableList}</td>
 *     <td>none</td>
 *     <td>a {@code SharedLongArray} or {@code SharedDoubleArray}, or a layout of your own in a {@code SharedMemory}</td></tr>
 * <tr><td>{@code Manager()}: {@code dict()}, {@code list()}, {@code Namespace()}, proxies; {@code SharedMemoryManager}</td>
 *     <td>none</td>
 *     <td>the shared objects above travel to other processes themselves (in a target, a queue item, a task); across machines, {@code Cluster} has named queues, locks, semaphores, events and longs</td></tr>
 * <tr><th scope="rowgroup" colspan="3">Pool</th></tr>
 * <tr><td>{@code Pool(processes, initializer, initargs, maxtasksperchild)}</td>
 *     <td>{@code new ProcessPool(n)}, {@code ProcessPool.builder().processes(n).initializer(...).maxTasksPerChild(m).build()}</td>
 *     <td>{@code initargs}: what the initializer captures; {@code ProcessPool} is also an {@code ExecutorService}, as {@code concurrent.futures.ProcessPoolExecutor}</td></tr>
 * <tr><td>{@code map(f, xs, chunksize)}</td>
 *     <td>{@code map(f, xs)}, {@code map(f, xs, chunkSize)}</td>
 *     <td>the results in order, as a {@code List}</td></tr>
 * <tr><td>{@code imap(f, xs)}, {@code imap_unordered(f, xs)}</td>
 *     <td>{@code imap(f, xs)}, {@code imapUnordered(f, xs)}</td>
 *     <td>lazy: results as they come, input read as needed</td></tr>
 * <tr><td>{@code starmap(f, [(a, b), ...], chunksize)}</td>
 *     <td>{@code starmap((a, b) -> f(a, b), pairs)}, {@code starmap(f, pairs, chunkSize)}</td>
 *     <td>the pairs are {@code Map.Entry}s ({@code Map.entry(a, b)}, a map's {@code entrySet()}); three arguments or more: {@code map} over a record of them</td></tr>
 * <tr><td>{@code apply(f, args)}, {@code apply_async(f, args, callback, error_callback)}</td>
 *     <td>{@code apply(() -> f(a))}, {@code applyAsync(() -> f(a))}</td>
 *     <td>{@code applyAsync} returns a {@code CompletableFuture}: {@code thenAccept(...)} for the callback, {@code exceptionally(...)} for the error callback</td></tr>
 * <tr><td>{@code map_async(f, xs, chunksize, callback, error_callback)}, {@code starmap_async(f, pairs)}</td>
 *     <td>{@code mapAsync(f, xs)}, {@code mapAsync(f, xs, chunkSize)}, {@code starmapAsync(f, pairs)}</td>
 *     <td>a {@code CompletableFuture<List<R>>}: {@code thenAccept(...)} for the callback, {@code exceptionally(...)} for the error callback; completes at the first failure; {@code cancel} drops the chunks not yet sent</td></tr>
 * <tr><td>{@code close()}, {@code join()}, {@code terminate()}</td>
 *     <td>{@code shutdown()}, {@code awaitTermination(...)}, {@code terminate()}</td>
 *     <td></td></tr>
 * <tr><td>{@code with Pool() as pool:}</td>
 *     <td>{@code try (ProcessPool pool = new ProcessPool()) { ... }}</td>
 *     <td>Python's {@code with} terminates the pool; {@code close()} here finishes the work first</td></tr>
 * <tr><td>{@code multiprocessing.TimeoutError}</td>
 *     <td>{@code java.util.concurrent.TimeoutException}</td>
 *     <td>from {@code Future.get(timeout, unit)}</td></tr>
 * <tr><th scope="rowgroup" colspan="3">Others</th></tr>
 * <tr><td>{@code multiprocessing.dummy} (threads)</td>
 *     <td>{@code java.util.concurrent}</td>
 *     <td></td></tr>
 * <tr><td>{@code get_logger()}, {@code log_to_stderr()}</td>
 *     <td>{@code System.Logger}</td>
 *     <td>by default {@code java.util.logging}, loggers named after the library's classes</td></tr>
 * <tr><td>{@code authkey}, {@code AuthenticationError}</td>
 *     <td>none</td>
 *     <td>a tree's shared objects are files of mode 0600 in a directory of mode 0700 under {@code /dev/shm}</td></tr>
 * </tbody>
 * </table>
 */
package io.github.multiprocessing4j;
