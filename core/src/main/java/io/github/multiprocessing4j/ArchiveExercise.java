package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.serial.Serialization;

/**
 * What the child that dumps the class-data archive runs before it exits (the launch layer's
 * {@code ArchiveTraining}, which finds it through {@link ChildProcess}'s static initialiser): the
 * first use of a shared object as a child's target makes it, so that the archive holds what that
 * use loads and links, whatever the dumping child's own target did.
 *
 * <p>First it initialises the handles' classes that every spare initialises while it waits
 * ({@code ChildMain}'s warm-up list): not all of them are used below, and each one the archive
 * lacks is read from the jar by every spare, the first of them opening the jar's zip machinery.
 *
 * <p>A queue, a pipe's end and a shared value made here are each moved through a target that
 * captures it, written and read back as a start writes and a child reads a target (the handle's
 * direct encoding, the lambda's deserialization), then a lock and a joinable queue are used; each
 * is unlinked again, so that nothing is left in the tree.
 */
final class ArchiveExercise {
    private ArchiveExercise() {
    }

    /** Runs the exercise (see the class comment); what it makes is unlinked before it returns. */
    static void run() throws Exception {
        ClassLoader loader = ArchiveExercise.class.getClassLoader();
        for (Class<?> handle : ChildProcess.sharedObjectClasses()) {
            Class.forName(handle.getName(), true, loader); // as a spare does while it waits: see the class comment
        }
        ProcessQueue<Object> queue = new ProcessQueue<>();
        try {
            SerializableRunnable target = () -> queue.put(1);
            Serialization.deserializeTarget(Serialization.serialize(target, "target"), loader).call();
            queue.get();
        } finally {
            queue.unlink();
        }
        Pipe<Object> pipe = Pipe.open(false);
        try {
            Connection<Object> sender = pipe.right();
            SerializableRunnable target = () -> sender.send(1);
            Serialization.deserializeTarget(Serialization.serialize(target, "target"), loader).call();
            pipe.left().recv();
        } finally {
            pipe.left().unlink();
        }
        SharedLong value = new SharedLong(0);
        try {
            SerializableRunnable target = () -> value.incrementAndGet();
            Serialization.deserializeTarget(Serialization.serialize(target, "target"), loader).call();
        } finally {
            value.unlink();
        }
        ProcessLock lock = new ProcessLock();
        try {
            lock.acquire();
            lock.release();
        } finally {
            lock.unlink();
        }
        ProcessJoinableQueue<Object> joinable = new ProcessJoinableQueue<>();
        try {
            joinable.put(1);
            joinable.get();
            joinable.taskDone();
            joinable.join();
        } finally {
            joinable.unlink();
        }
    }
}
