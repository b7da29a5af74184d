package io.github.multiprocessing4j.internal.registry;

import io.github.multiprocessing4j.internal.shm.SegmentStore;

import java.util.List;
import java.util.Optional;

/**
 * The process table of one process tree: which processes belong to it, in which state, and
 * what a process that ended left for its parent. Python's {@code resource_tracker} plays this
 * part in CPython.
 *
 * <p>Every process of a tree sees the same table. The local implementation is a directory under
 * {@code /dev/shm} ({@link LocalTreeRegistry}); a cluster engine can implement this interface to
 * run the same API across machines. The shared objects of the library (locks, queues) also live
 * in the registry, so that the tree's end removes them with it: it is their {@link SegmentStore}.
 *
 * <p>Methods throw {@link java.io.UncheckedIOException} when the backing store fails.
 */
public interface ProcessRegistry extends SegmentStore {

    /** @return an identifier of the tree, unique on this machine, carried to every child */
    @Override
    String treeId();

    /**
     * Makes sure the tree's table exists with the calling process recorded in it: a process calls
     * this before it starts a child, so that the tree is never without its parent.
     */
    void ensureOpen();

    /**
     * Adds or replaces the record of a process; a record without a start method keeps the one
     * the process's record had (its parent's, from {@link #putBooting}).
     */
    void put(ProcessRecord record);

    /**
     * Records a child that the calling process has just started, in state
     * {@link ProcessRecord.State#BOOTING}, unless the child has recorded itself already: then
     * only the start method is added to its record. Atomic with respect to {@link #put}, so a
     * child's own record is never replaced by its parent's. A record of the same pid with other
     * start ticks is a dead namesake's (pids recur): it is replaced, and a failure left under the
     * pid is removed with it.
     *
     * @param booting the child's record as its parent knows it, with its start method
     */
    void putBooting(ProcessRecord booting);

    /** @return the record of process {@code pid}, when there is one */
    Optional<ProcessRecord> find(long pid);

    /** @return every record of the tree, of live and of dead processes */
    List<ProcessRecord> records();

    /** Removes the record of process {@code pid} and anything it left (its failure). */
    void remove(long pid);

    /** Keeps the serialized uncaught exception of process {@code pid} for its parent. */
    void putFailure(long pid, byte[] failure);

    /** @return the serialized failure left by process {@code pid}, when there is one */
    Optional<byte[]> findFailure(long pid);

    /**
     * Publishes {@code content} under {@code name} for every process of the tree, unless a process
     * published under that name first: the first publication wins whole (a reader never sees part
     * of one) and stays until the tree ends. Never blocks for long.
     *
     * @param name a file-name-safe name, unique in the tree for what it stands for
     * @return whether this call published it; when false, {@link #findPublished} gives the winner's
     */
    boolean publishOnce(String name, byte[] content);

    /** @return what {@link #publishOnce} published under {@code name}, when anything was */
    Optional<byte[]> findPublished(String name);

    /**
     * Drops the records of processes that died without cleaning up, and releases the whole tree
     * (removes its directory) when nothing but the calling process is left in it and no shared
     * segment either.
     *
     * @return whether the tree was released
     */
    boolean releaseIfIdle();

    /**
     * Called by a process that is exiting: releases the whole tree, shared segments included,
     * when no other process of the tree is alive.
     *
     * @return whether the tree was released
     */
    boolean releaseAtExit();
}
