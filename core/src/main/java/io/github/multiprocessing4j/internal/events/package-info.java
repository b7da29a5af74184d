/**
 * The library's JDK Flight Recorder events: the classes of the events that the layers above
 * commit (child processes started and ended, long waits for locks, semaphores and room in a
 * bounded queue, takeovers from dead owners, pool tasks and dead pool workers), all in the
 * category "multiprocessing4j" and named {@code io.github.multiprocessing4j.*}. The events,
 * their fields and how to record them are in docs/OBSERVABILITY.md.
 *
 * <p>The other layers call {@link io.github.multiprocessing4j.internal.events.FlightEvents} only,
 * which loads no event class before JFR has started in the JVM (see there why). Every hook keeps
 * the path it sits on as cheap as it was while nothing records: the fast paths (an uncontended
 * lock, a put with room, a free permit) have no hook at all; a wait makes its event only once
 * its first try failed, and fills it only when JFR keeps it ({@link jdk.jfr.Event#shouldCommit()}:
 * enabled, and longer than the threshold); an event that spans threads (a start until the child
 * booted, a pool task until its answer) is made only when its type is enabled as it begins
 * ({@link jdk.jfr.Event#isEnabled()}), and is null otherwise. This package uses only the JDK;
 * any layer may use it.
 */
package io.github.multiprocessing4j.internal.events;
