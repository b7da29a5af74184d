package io.github.multiprocessing4j.bench;

import java.util.List;

/**
 * Sizes and repetitions of a run. The full sizes are those of {@code bench_mp.py}'s full run
 * (20 start repetitions after 2 warm-ups, 5 for the rest); the quick ones only check that every
 * section works.
 *
 * @param reps repetitions of most figures (idle-child memory)
 * @param startReps repetitions of the start figures
 * @param warmUps empty children started and joined before the start figures are taken
 * @param idleSettleMillis how long an idle child is left alone before its memory is read
 * @param manyProcesses children started at once by the "many processes" figure
 * @param manyReps repetitions of the "many processes" figure
 * @param quietWaitSeconds how long to wait, at most, for a quiet machine before each section
 * @param lockPairs uncontended acquire()+release() pairs per repetition ({@code lock_n})
 * @param lockContended increments per process in the two-process lock figure
 *     ({@code lock_contended_n})
 * @param tputItems items per throughput run of small items, split between the producers
 *     ({@code tput_n})
 * @param tputItems4k items per throughput run of 4 KiB items ({@code tput_n_4k})
 * @param rttRoundTrips measured round trips per ping-pong run ({@code rtt_n})
 * @param jqPerProducer items each JoinableQueue producer puts ({@code jq_per})
 * @param poolItems items of a pool {@code map} with the default chunk size, and with chunk size
 *     1000 ({@code pool_n})
 * @param poolChunkOneItems items of a pool {@code map} with chunk size 1 ({@code pool_n_chunk1})
 * @param poolSubmitTasks tasks submitted one by one to a pool ({@code ppe_submit_n})
 * @param pp4jTasks tasks given to PP4J's pool, one at a time and in a batch (about 1-3k tasks/s)
 * @param outProcessTasks tasks given to out-process, one at a time and in a batch (about 22 tasks/s)
 * @param programReps programs run (a new JVM each) by sections "loop" and "pool-calls"
 *     ({@code program_reps})
 * @param poolSecondCallItems items of the pool's second call in "pool-calls" and of a pool map in
 *     "scale" ({@code pool_calls_n})
 * @param scaleReps repetitions of a cell of section "scale" ({@code scale_reps})
 * @param scaleDivisor what the item counts of section "scale" are divided by: 1, 10 in
 *     {@code --quick} ({@code scale_divisor})
 * @param childJvmArgs extra options for every child JVM, after the library's defaults
 */
record BenchConfig(int reps, int startReps, int warmUps, long idleSettleMillis, int manyProcesses, int manyReps,
                   int quietWaitSeconds, int lockPairs, int lockContended, int tputItems, int tputItems4k,
                   int rttRoundTrips, int jqPerProducer, int poolItems, int poolChunkOneItems, int poolSubmitTasks,
                   int pp4jTasks, int outProcessTasks, int clusterReps, int clusterItems, int clusterBatchItems,
                   int clusterRoundTrips, int clusterIncrements, int clusterPoolTasks, int clusterMapItems,
                   int programReps, int poolSecondCallItems, int scaleReps, int scaleDivisor,
                   List<String> childJvmArgs) {

    static BenchConfig full(List<String> childJvmArgs) {
        return new BenchConfig(5, 20, 2, 1000, 200, 3, 20, 1_000_000, 500_000, 200_000, 50_000, 20_000, 50_000,
                1_000_000, 20_000, 20_000, 2_000, 50, 3, 100_000, 1_000_000, 5_000, 50_000, 20_000, 1_000_000,
                3, 1_000_000, 3, 1, childJvmArgs);
    }

    static BenchConfig quick(List<String> childJvmArgs) {
        // The idle delay and the number of processes stay as in the full run: they define
        // what a figure means, so a quick figure is a noisier value of the same thing.
        return new BenchConfig(2, 5, 2, 1000, 200, 1, 0, 20_000, 2_000, 5_000, 2_000, 500, 1_000, 20_000, 500, 500,
                200, 10, 1, 5_000, 50_000, 300, 2_000, 500, 20_000,
                1, 100_000, 1, 10, childJvmArgs);
    }

    String toJson() {
        return Json.object("reps", reps, "start_reps", startReps, "warm_ups", warmUps,
                "idle_settle_ms", idleSettleMillis, "many_processes", manyProcesses, "many_reps", manyReps,
                "quiet_wait_s", quietWaitSeconds, "lock_n", lockPairs, "lock_contended_n", lockContended,
                "tput_n", tputItems, "tput_n_4k", tputItems4k, "rtt_n", rttRoundTrips, "jq_per", jqPerProducer,
                "pool_n", poolItems, "pool_n_chunk1", poolChunkOneItems, "ppe_submit_n", poolSubmitTasks,
                "pp4j_n", pp4jTasks, "out_process_n", outProcessTasks, "cluster_reps", clusterReps, "redis_n", clusterItems,
                "redis_batch_n", clusterBatchItems, "redis_rtt_n", clusterRoundTrips,
                "cluster_increments_n", clusterIncrements, "cluster_pool_n", clusterPoolTasks,
                "cluster_map_n", clusterMapItems, "program_reps", programReps,
                "pool_calls_n", poolSecondCallItems, "scale_reps", scaleReps, "scale_divisor", scaleDivisor,
                "child_jvm_args", childJvmArgs);
    }
}
