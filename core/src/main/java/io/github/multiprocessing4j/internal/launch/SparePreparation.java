package io.github.multiprocessing4j.internal.launch;

/**
 * What a spare prepares beyond what every spare does ({@link ChildMain#prepareSpare}), chosen
 * from the target of the child whose start asked for the spare: the next target is likely to be
 * like that one.
 *
 * @param firstClass a class the spare loads and links ahead (the target's capturing class), or null
 * @param objectStreams whether the spare prepares JDK deserialization (the target needed it)
 * @param queueWarmUp whether the spare, once prepared, moves items through a queue of its own
 *     ({@link SpareWarmUp}): the target captured one of the library's shared objects
 */
public record SparePreparation(String firstClass, boolean objectStreams, boolean queueWarmUp) {
    /** For a spare that no child asked for ({@code prestart}): whatever the first target needs. */
    public static final SparePreparation FOR_ANY_TARGET = new SparePreparation(null, true, true);
}
