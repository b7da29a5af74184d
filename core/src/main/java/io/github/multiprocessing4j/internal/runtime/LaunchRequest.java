package io.github.multiprocessing4j.internal.runtime;

import io.github.multiprocessing4j.internal.launch.BootstrapMessage;
import io.github.multiprocessing4j.internal.launch.SparePreparation;

/**
 * What a {@link Launcher} starts: one child, as its {@code start()} described it.
 *
 * @param name the child's name, shown on its command line
 * @param daemon whether the child ends with its parent
 * @param configuration its JVM options, environment and working directory
 * @param targetClass the target's first class ({@code Serialization.firstClassOf}), which the warm
 *     start names to the next spare; the request keeps no reference to the target itself
 * @param targetNeedsObjectStream whether reading the target back needs an {@code ObjectInputStream}
 *     ({@code Serialization.needsObjectStream}): the next spare prepares one only then
 * @param targetCapturesSharedObjects whether the target carries a shared object of this machine
 *     (a queue, a lock, a value; directly or inside another object: its serialization wrote a
 *     segment, {@code SharedSegment.writtenOnThisThread}): the next spare warms up a queue only then
 * @param asksForSpares whether a warm start asks for spares for the children after this one (see
 *     {@code Spares}); not for a long-lived child after which no start is near, such as a pool's
 *     worker, whose spares would only compete with it
 * @param message the bootstrap message, with the serialized target; null in what a run keeps
 *     once launched ({@link #withoutMessage()})
 */
public record LaunchRequest(String name, boolean daemon, LaunchConfiguration configuration, String targetClass,
                            boolean targetNeedsObjectStream, boolean targetCapturesSharedObjects, boolean asksForSpares,
                            BootstrapMessage message) {
    /**
     * @return this request without its bootstrap message: what a run keeps, so that the target's
     *     bytes do not live as long as the process object (CPython drops the target at start)
     */
    LaunchRequest withoutMessage() {
        return new LaunchRequest(name, daemon, configuration, targetClass, targetNeedsObjectStream,
                targetCapturesSharedObjects, asksForSpares, null);
    }

    /** @return what a spare asked for by this start prepares: for a target like this one */
    SparePreparation forNextSpare() {
        return new SparePreparation(targetClass, targetNeedsObjectStream, targetCapturesSharedObjects);
    }
}
