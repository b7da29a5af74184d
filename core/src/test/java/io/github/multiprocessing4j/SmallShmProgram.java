package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.shm.SegmentSpace;
import io.github.multiprocessing4j.testing.TestFiles;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A program for {@link SmallShmTest}, run in a private mount namespace whose {@code /dev/shm} is
 * a small tmpfs: {@code SmallShmProgram REPORT ITEMS} makes, uses and closes
 * {@value #CLOSED_QUEUES} queues one after another (their segments, unlinked, keep their pages
 * while this JVM maps them), then puts ITEMS items of 1 MiB into an
 * unbounded queue (more than the tmpfs holds), then tries a shared memory block that does not
 * fit, fills what is left of {@code /dev/shm} with a file of its own (as another program could),
 * tries a bounded queue (its first chunk, fitted to the small directory, would fit in what the
 * items left), puts small items into a queue made before it filled up, starts and joins three
 * children while not a page is free, runs a joinable queue
 * round trip, and has one more child drain the queue.
 * It writes what it saw to REPORT as {@code key=value} lines; an exception ends it with status 1.
 */
public final class SmallShmProgram {
    static final int ITEM_BYTES = 1 << 20;
    /** How many queues it makes, uses once and closes first: together more than the tmpfs holds. */
    static final int CLOSED_QUEUES = 300;
    /** Small items put into a queue once {@code /dev/shm} is full: several pages' worth. */
    static final int SMALL_ITEMS = 2_000;

    private SmallShmProgram() {
    }

    public static void main(String[] args) throws Exception {
        Path report = Path.of(args[0]);
        int items = Integer.parseInt(args[1]);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < CLOSED_QUEUES; i++) { // a loop's worth, more than /dev/shm holds until their mappings go
            ProcessQueue<byte[]> used = new ProcessQueue<>();
            used.put(new byte[100]);
            used.get();
            used.close();
        }
        FileStore shm = Files.getFileStore(Path.of("/dev/shm"));
        lines.add("shmUsedAfterClosedQueues=" + (shm.getTotalSpace() - shm.getUnallocatedSpace()));
        ProcessQueue<byte[]> queue = new ProcessQueue<>();
        int accepted = 0;
        try {
            for (int i = 0; i < items; i++) {
                queue.put(item(i));
                accepted++;
            }
        } catch (RuntimeException e) {
            lines.add("putFailed=" + oneLine(e));
        }
        lines.add("accepted=" + accepted);
        lines.add("spilledFiles=" + spilledFiles());
        lines.add("sharedMemory=" + failureOf(() -> SharedMemory.create(64 << 20).close()));

        ProcessQueue<Integer> madeBefore = new ProcessQueue<>(); // its first chunk's pages are allocated as needed
        Path filler = fillDevShm(); // not a page left: the process table lives on its reserve
        lines.add("smallItemsAfterFull=" + smallItemsThrough(madeBefore));
        lines.add("boundedQueue=" + failureOf(() -> new ProcessQueue<byte[]>(10).close()));
        lines.add("shmFreeBytes=" + Files.getFileStore(Path.of("/dev/shm")).getUsableSpace());
        lines.add("pipeRoundTrip=" + pipeRoundTrip());
        int joined = 0;
        for (int i = 0; i < 3; i++) {
            ChildProcess child = new ChildProcess(() -> { });
            child.start();
            child.join();
            joined += child.exitCode().orElse(-1) == 0 ? 1 : 0;
        }
        lines.add("childrenJoined=" + joined);
        lines.add("joinableDone=" + joinableQueueRoundTrip());

        String drainedFile = args[0] + ".drained";
        int expected = accepted;
        ChildProcess drainer = new ChildProcess(() -> {
            StringBuilder result = new StringBuilder();
            int inOrder = 0;
            for (int i = 0; i < expected; i++) {
                byte[] got = queue.get();
                if (got.length == ITEM_BYTES && ByteBuffer.wrap(got).getInt(0) == i
                        && ByteBuffer.wrap(got).getInt(ITEM_BYTES - 4) == i) {
                    inOrder++;
                }
            }
            result.append("drainedInOrder=").append(inOrder).append('\n');
            result.append("leftAfterDrain=").append(queue.qsize()).append('\n');
            TestFiles.write(drainedFile, result.toString());
        });
        drainer.start();
        drainer.join();
        lines.add("drainerExit=" + drainer.exitCode().orElse(-1));
        lines.add(Files.readString(Path.of(drainedFile)).trim());
        Files.delete(Path.of(drainedFile));

        Files.delete(filler);
        queue.unlink(); // a child used it: close() would leave it to the tree's end
        lines.add("spilledFilesAfterClose=" + spilledFiles());
        Files.write(report, lines);
    }

    /**
     * Puts {@value #SMALL_ITEMS} ints (more than the first chunk's pages allocated with the queue)
     * into a queue made before {@code /dev/shm} filled up, and takes them: the first chunk finds
     * no room for more pages, and the items go on in a chunk spilled to disk.
     *
     * @return how many came back in order
     */
    private static int smallItemsThrough(ProcessQueue<Integer> queue) throws InterruptedException {
        for (int i = 0; i < SMALL_ITEMS; i++) {
            queue.put(i);
        }
        int inOrder = 0;
        for (int i = 0; i < SMALL_ITEMS; i++) {
            inOrder += queue.get() == i ? 1 : 0;
        }
        queue.unlink();
        return inOrder;
    }

    /**
     * A joinable queue made and used while not a page is free: its items and a consumer's
     * in-flight log (copies of the items it holds) spill to disk.
     *
     * @return how many items a child got and marked done before {@code join()} returned
     */
    private static int joinableQueueRoundTrip() throws Exception {
        ProcessJoinableQueue<byte[]> tasks = new ProcessJoinableQueue<>();
        ProcessQueue<Boolean> results = new ProcessQueue<>(); // unbounded too: a SharedLong would find no room
        try {
            for (int i = 0; i < 4; i++) {
                tasks.put(item(i));
            }
            ChildProcess worker = new ChildProcess(() -> {
                for (int i = 0; i < 4; i++) {
                    results.put(ByteBuffer.wrap(tasks.get()).getInt(0) == i);
                    tasks.taskDone();
                }
            });
            worker.start();
            tasks.join();
            worker.join();
            int done = 0;
            for (int i = 0; i < 4; i++) {
                done += results.get() ? 1 : 0;
            }
            return done;
        } finally {
            tasks.unlink();
            results.unlink();
        }
    }

    /**
     * A pipe opened while not a page is free (its ends' user table and both directions spill to
     * disk): a child sends through it and exits, the parent receives and then sees the end gone.
     *
     * @return what the parent received, then "EOF" once the child's end was gone
     */
    private static String pipeRoundTrip() throws Exception {
        Pipe<String> pipe = Pipe.open();
        Connection<String> childEnd = pipe.right();
        try {
            ChildProcess child = new ChildProcess(() -> childEnd.send("through"));
            child.start();
            childEnd.close();
            String got = pipe.left().recv();
            child.join();
            try {
                pipe.left().recv();
                return got + ",no EOF";
            } catch (java.io.EOFException gone) {
                return got + ",EOF";
            }
        } finally {
            pipe.left().unlink();
        }
    }

    /** @return a file that takes whatever room another program left in {@code /dev/shm} */
    private static Path fillDevShm() throws java.io.IOException {
        Path filler = Path.of("/dev/shm/filler");
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(filler,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer page = ByteBuffer.allocate(4096);
            while (true) {
                page.clear();
                out.write(page);
            }
        } catch (java.io.IOException full) {
            return filler;
        }
    }

    /** @return item {@code i}: 1 MiB whose first and last int are {@code i} */
    private static byte[] item(int i) {
        byte[] b = new byte[ITEM_BYTES];
        ByteBuffer.wrap(b).putInt(0, i).putInt(ITEM_BYTES - 4, i);
        return b;
    }

    /** @return "ok" when {@code creation} worked, else the class and one-line message of its failure */
    private static String failureOf(Runnable creation) {
        try {
            creation.run();
            return "ok";
        } catch (UncheckedIOException e) {
            return "UncheckedIOException " + oneLine(e);
        } catch (RuntimeException | Error e) {
            return e.getClass().getName() + " " + oneLine(e);
        }
    }

    private static String oneLine(Throwable e) {
        return String.valueOf(e.getMessage()).replace('\n', ' ');
    }

    /** @return how many files are in the spill directories under the spill root (this test's own) */
    private static long spilledFiles() throws java.io.IOException {
        long count = 0;
        try (Stream<Path> dirs = Files.list(SegmentSpace.spillRoot())) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(SegmentSpace.SPILL_PREFIX))
                    .collect(Collectors.toList())) {
                try (Stream<Path> files = Files.list(dir)) {
                    count += files.count();
                }
            }
        }
        return count;
    }
}
