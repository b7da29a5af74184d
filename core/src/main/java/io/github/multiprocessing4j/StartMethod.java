package io.github.multiprocessing4j;

/**
 * How {@link ChildProcess#start()} gets a JVM for the child: Python's start methods, for the JVM.
 * Set it per process ({@link ChildProcess.Builder#startMethod}) or for the whole program
 * ({@link Multiprocessing#setStartMethod}).
 */
public enum StartMethod {
    /**
     * A fresh JVM for every child (Python's {@code spawn}): the child boots after {@code start()},
     * about as long as a bare {@code java} takes to print its first line.
     */
    COLD,
    /**
     * A spare JVM that is already booted takes the child's target (the JVM's answer to
     * {@code fork} and {@code forkserver}): {@code start()} to the target's first line takes
     * milliseconds. After a start the library boots a replacement spare in the background, once
     * the child it started has booted; a configuration (JVM arguments, environment, working
     * directory) keeps as many spares as it had children running at once when one was last
     * started, up to the number of processors, and a spare is used only by a child with the same
     * configuration. A {@link ProcessPool}'s workers are long-lived: their starts take spares but
     * ask for none while the pool runs (unless it replaces its workers: {@code maxTasksPerChild},
     * {@code maxMemoryPerChild}, or one has died), and as many as it had workers boot when it has
     * ended, for a next pool. A spare is a daemon of the process that made it: it ends when that
     * process ends. The first start of a configuration is cold, unless
     * {@link Multiprocessing#prestart} booted spares for it.
     *
     * <p>The default: a program that starts several children gets them fast, and the price is
     * an idle JVM per child it runs at once, at most one per processor, booted while the program
     * runs. A spare beyond one per configuration (beyond the count the program fixed with
     * {@link Multiprocessing#prestart} or {@code -Dmp4j.spares}) ends once it has waited 30
     * seconds for a start (the system property {@code mp4j.spareIdleSeconds} sets another
     * number); {@link Multiprocessing#discardSpares()} ends them all.
     *
     * @implNote An idle spare took about 35 MiB of resident memory with the default JVM options
     * on the machine the library was measured on.
     */
    WARM
}
