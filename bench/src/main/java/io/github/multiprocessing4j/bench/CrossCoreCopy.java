package io.github.multiprocessing4j.bench;

/**
 * How fast data written on one processor reaches another on this machine: two threads of this
 * JVM, one writing 4 KiB blocks into a 4 MiB array (larger than a processor's L2 here, smaller
 * than the shared L3) while the other keeps reading the array through, block by block; the
 * writer's rate is taken window by window. Every queue item of a producer and a consumer in two
 * processes travels so.
 *
 * <p>Implementation notes: the windows matter more than their median. On the 2-core development
 * VM (a Firecracker guest on an AMD EPYC host) the rate swung between about 2.1 GB/s and 65-70
 * GB/s in phases of 5-20 s, both threads running the whole time and the VM's steal time
 * unchanged: the likeliest cause is the host moving the two vCPUs between placements that share
 * caches and placements that do not. The queue rows of 4 KiB items swing with it, so the tables
 * show this figure's lowest and highest windows beside them. No synchronisation between the two
 * threads: only the traffic of the array's cache lines is measured.
 */
final class CrossCoreCopy {
    static final int BLOCK = 4096;
    static final int ARRAY = 4 << 20;

    private CrossCoreCopy() {
    }

    /**
     * @param windows how many windows to measure, one after another
     * @param windowSeconds how long each lasts
     * @return the writer's MB/s (10^6 B) in each window
     */
    static double[] windows(int windows, double windowSeconds) throws InterruptedException {
        byte[] shared = new byte[ARRAY];
        byte[] block = new byte[BLOCK];
        long[] read = new long[1];
        Thread reader = new Thread(() -> {
            byte[] into = new byte[BLOCK];
            long sum = 0;
            while (!Thread.currentThread().isInterrupted()) {
                for (int at = 0; at < ARRAY; at += BLOCK) {
                    System.arraycopy(shared, at, into, 0, BLOCK);
                    sum += into[BLOCK - 1];
                }
            }
            read[0] = sum; // kept, so that the copies are not optimised away
        }, "bench-cross-core-reader");
        reader.setDaemon(true);
        reader.start();
        double[] megabytesPerSecond = new double[windows];
        long windowNanos = (long) (windowSeconds * 1e9);
        try {
            for (int w = 0; w < windows; w++) {
                long bytes = 0;
                long t0 = System.nanoTime();
                long elapsed;
                do {
                    for (int at = 0; at < ARRAY; at += BLOCK) {
                        System.arraycopy(block, 0, shared, at, BLOCK);
                    }
                    bytes += ARRAY;
                    elapsed = System.nanoTime() - t0;
                } while (elapsed < windowNanos);
                megabytesPerSecond[w] = bytes / (elapsed / 1e9) / 1e6;
            }
        } finally {
            reader.interrupt();
            reader.join();
        }
        return megabytesPerSecond;
    }
}
