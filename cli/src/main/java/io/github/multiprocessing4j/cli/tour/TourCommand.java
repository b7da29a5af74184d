package io.github.multiprocessing4j.cli.tour;

import io.github.multiprocessing4j.cli.support.Narrator;
import io.github.multiprocessing4j.cli.support.ScratchDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mp4j tour}: runs the lesson's chapters on processes, one chapter after the other, with
 * real child JVMs, and explains what each shows. Exits with 0 when every fact a chapter set out
 * to show was observed, 1 otherwise.
 */
@Command(name = "tour",
        description = {"Runs the lesson's process chapters with real processes and explains what each one shows.",
                "Each chapter takes a few seconds; --list shows them."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every point of every chapter was shown", "1:something did not happen as the lesson says",
                "2:wrong usage"})
public final class TourCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--chapter"}, paramLabel = "NAME", split = ",", converter = ChapterConverter.class,
            completionCandidates = ChapterNames.class,
            description = "Run only this chapter (repeatable, or comma-separated; a chapter named twice runs once,"
                    + " where it was first named): ${COMPLETION-CANDIDATES}. Default: all, in order.")
    private List<TourChapters.Entry> chapters = new ArrayList<>();

    @Option(names = "--list", description = "List the chapters and exit.")
    private boolean list;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            for (TourChapters.Entry c : TourChapters.ALL) {
                out.printf("%-18s %s (%s)%n", c.name(), c.title(), c.lessonPart());
            }
            out.flush();
            return 0;
        }
        List<TourChapters.Entry> selected = chapters.isEmpty() ? TourChapters.ALL
                : List.copyOf(new LinkedHashSet<>(chapters)); // "-c queue,queue" means the queue chapter
        Narrator narrator = new Narrator(out);
        int number = 0;
        for (TourChapters.Entry chapter : selected) {
            number++;
            narrator.heading("Chapter " + number + "/" + selected.size() + ": " + chapter.title(),
                    "(" + chapter.lessonPart() + ")");
            runChapter(chapter, narrator);
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        narrator.explain(narrator.surprises() == 0
                ? "Tour finished: every point was shown with real processes."
                : "Tour finished, but " + Narrator.plural(narrator.surprises(), "point") + " did not go as the lesson says"
                + " (marked !! above).");
        return narrator.surprises() == 0 ? 0 : 1;
    }

    private static void runChapter(TourChapters.Entry chapter, Narrator narrator) {
        chapter.introduction().forEach(narrator::explain);
        if (chapter.needsProcFs() && !ProcFs.exists()) {
            narrator.note("skipped: this chapter reads /proc, which this system does not have (it needs Linux).");
            return;
        }
        long started = System.nanoTime();
        try (ScratchDir scratch = ScratchDir.create("tour-" + chapter.name())) {
            chapter.chapter().run(narrator, scratch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            narrator.failed("chapter interrupted");
            return;
        } catch (Exception e) {
            narrator.failed("the chapter could not go on: " + e);
        }
        narrator.observe("(chapter took " + Narrator.seconds(System.nanoTime() - started) + ")");
    }

    /** Turns a chapter name into the chapter, for {@code --chapter}. */
    static final class ChapterConverter implements ITypeConverter<TourChapters.Entry> {
        @Override
        public TourChapters.Entry convert(String name) {
            return TourChapters.byName(name).orElseThrow(() -> new TypeConversionException(
                    "no chapter '" + name + "'; chapters are " + String.join(", ", TourChapters.names())));
        }
    }

    /** The chapter names, for the help text and shell completion. */
    static final class ChapterNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return TourChapters.names().iterator();
        }
    }
}
