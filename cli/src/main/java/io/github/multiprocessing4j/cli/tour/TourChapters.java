package io.github.multiprocessing4j.cli.tour;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The table of contents of {@code mp4j tour}, in the lesson's order. To add a chapter, list it here. */
public final class TourChapters {
    /** Every chapter, in the order the tour runs them. */
    public static final List<Entry> ALL = List.of(
            new Entry("pids", "Process objects and PIDs", "lesson chapter 1, process objects and their methods",
                    false, new PidsChapter()),
            new Entry("zombie", "Zombies: dead, but not yet reaped", "lesson chapter 2, zombie processes",
                    true, new ZombieChapter()),
            new Entry("orphan", "Orphans: the parent dies, the child lives on", "lesson chapter 2, orphan processes",
                    true, new OrphanChapter()),
            new Entry("daemon", "Daemons: ended together with their parent", "lesson chapter 3, daemon processes",
                    false, new DaemonChapter()),
            new Entry("daemon-children", "A daemon may not have children", "lesson chapter 3, daemon processes",
                    false, new DaemonChildrenChapter()),
            new Entry("tickets", "The mutex: buying tickets with and without a lock", "lesson chapter 4, mutex lock",
                    false, new TicketsChapter()),
            new Entry("queue", "Queues: first in, first out, full and empty", "lesson chapter 5, queues",
                    false, new QueueChapter()),
            new Entry("ipc", "IPC: processes talking through queues and pipes",
                    "lesson chapter 5, inter-process communication", false, new IpcChapter()),
            new Entry("producer-consumer", "Producers and consumers around a queue",
                    "lesson chapter 6, the producer-consumer model", false, new ProducerConsumerChapter()),
            new Entry("pool", "Pools: a hundred thousand squares in worker processes",
                    "beyond the lesson: Python's multiprocessing.Pool", false, new PoolChapter()));

    private TourChapters() {
    }

    /**
     * One line of the table of contents.
     *
     * @param name the short name for {@code mp4j tour --chapter NAME}: lower case, no spaces
     * @param title the heading shown above the chapter
     * @param lessonPart which part of the lesson the chapter shows
     * @param needsProcFs whether the chapter reads {@code /proc} and so runs only on Linux
     * @param chapter the chapter itself
     */
    public record Entry(String name, String title, String lessonPart, boolean needsProcFs, TourChapter chapter) {
        /**
         * @return the paragraphs of the chapter's introduction, from the resource
         *     {@code introductions/NAME.txt} (paragraphs are separated by blank lines)
         */
        public List<String> introduction() {
            String resource = "introductions/" + name + ".txt";
            try (InputStream in = TourChapters.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("the chapter '" + name + "' has no " + resource);
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return Arrays.stream(text.strip().split("\\R\\s*\\R"))
                        .map(paragraph -> paragraph.strip().replaceAll("\\s+", " "))
                        .collect(Collectors.toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** @return the chapter called {@code name}, if there is one */
    public static Optional<Entry> byName(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** @return the chapter names, in order */
    public static List<String> names() {
        return ALL.stream().map(Entry::name).collect(Collectors.toList());
    }
}
