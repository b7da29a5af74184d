package io.github.multiprocessing4j;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.DocTree;
import com.sun.source.doctree.ParamTree;
import com.sun.source.util.DocTrees;
import jdk.javadoc.doclet.DocletEnvironment;
import jdk.javadoc.doclet.Reporter;
import jdk.javadoc.doclet.StandardDoclet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.ToolProvider;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Javadoc a user reads, built as javadoc builds it for the module (its exported packages
 * only: the API and the spi) with {@code -Xdoclint:all}, on the JDK that runs the tests (so on
 * 17 and on newer ones, whose doclint finds more): not one warning. On top of doclint:
 * <ul>
 *   <li>every documented element's comment begins with a sentence, since that sentence is what
 *   the summary tables show: a method documented only by {@code @return} has a blank row there
 *   (write {@code {@return ...}}, or "Tells whether ..." and the tags), which JDK 17's doclint
 *   accepts;</li>
 *   <li>that includes the public methods of a package-private superclass (as
 *   {@code SharedMutexLock}'s), which javadoc shows as the subclass's own, and a
 *   {@code toString()} (javadoc has no JDK comment to show for it);</li>
 *   <li>a method that overrides a JDK method has its own {@code @param} and {@code @return}
 *   tags, which doclint does not ask for there.</li>
 * </ul>
 * It runs with the tests, on every JDK they run on, and names each problem with its file and line.
 */
class ApiJavadocTest {
    private static final String MODULE = "io.github.multiprocessing4j";

    @Test
    void theModulesJavadocHasNoWarningAndEverySummarySaysWhatTheElementIsOrDoes(@TempDir Path out) throws Exception {
        Path sources = mainSources();
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter output = new StringWriter();
        List<String> options = List.of("-Xdoclint:all", "-quiet", "-Xmaxwarns", "10000", "-Xmaxerrs", "10000",
                "-d", out.toString(),
                "--module-source-path", MODULE + "=" + sources, "--module", MODULE,
                // The JDK's own block tags (@implNote, ...), which javadoc knows only when told.
                "-tag", "apiNote:a:API Note:", "-tag", "implSpec:a:Implementation Requirements:",
                "-tag", "implNote:a:Implementation Note:");

        boolean built = javadoc.getTask(output, null, diagnostics, SummaryCheckingDoclet.class, options, null).call();

        List<String> problems = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() != Diagnostic.Kind.NOTE)
                .map(ApiJavadocTest::describe)
                .collect(Collectors.toList());
        assertThat(problems).as("javadoc -Xdoclint:all and the summary check; javadoc printed:%n%s", output).isEmpty();
        assertThat(built).as("javadoc built the pages; it printed:%n%s", output).isTrue();
    }

    private static Path mainSources() throws Exception {
        // target/classes -> src/main/java: where the classes that the tests use were compiled from
        Path classes = Path.of(ChildProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path sources = classes.getParent().getParent().resolve("src/main/java");
        assertThat(sources.resolve("module-info.java")).as("the core's sources beside its classes " + classes).exists();
        return sources;
    }

    private static String describe(Diagnostic<? extends JavaFileObject> d) {
        String where = d.getSource() == null ? "" : Path.of(d.getSource().toUri()).getFileName() + ":" + d.getLineNumber() + ": ";
        return where + d.getKind().toString().toLowerCase(Locale.ROOT) + ": " + d.getMessage(Locale.ROOT);
    }

    /**
     * The standard doclet, which first reports, as warnings on the element, every documented
     * element whose summary would be blank (its comment does not begin with a sentence, or it has
     * no comment and does not inherit one from a method documented in these sources: a method
     * overriding a JDK method, as {@code toString()}, inherits nothing, since javadoc does not have
     * the JDK's comments), and the {@code @param} and {@code @return} tags missing from a
     * method that could inherit them only from the JDK.
     */
    public static final class SummaryCheckingDoclet extends StandardDoclet {
        private Reporter reporter;

        @Override
        public void init(Locale locale, Reporter reporter) {
            super.init(locale, reporter);
            this.reporter = reporter;
        }

        @Override
        public boolean run(DocletEnvironment environment) {
            DocTrees trees = environment.getDocTrees();
            Elements elements = environment.getElementUtils();
            Types types = environment.getTypeUtils();
            Set<Element> checked = new HashSet<>();
            Set<Element> inheritedFromUndocumented = new HashSet<>();
            Deque<Element> pending = new ArrayDeque<>(environment.getIncludedElements());
            while (!pending.isEmpty()) {
                Element element = pending.pop();
                if (!checked.add(element) || elements.getOrigin(element) == Elements.Origin.MANDATED
                        || !environment.isIncluded(element) && !inheritedFromUndocumented.contains(element)) {
                    continue;
                }
                if (element instanceof TypeElement) {
                    pending.addAll(element.getEnclosedElements());
                    // A package-private superclass's public methods are shown as the class's own.
                    for (Element member : elements.getAllMembers((TypeElement) element)) {
                        Element owner = member.getEnclosingElement();
                        if (owner != element && !environment.isIncluded(owner) && trees.getPath(member) != null
                                && (member.getModifiers().contains(Modifier.PUBLIC)
                                || member.getModifiers().contains(Modifier.PROTECTED))) {
                            inheritedFromUndocumented.add(member);
                            pending.add(member);
                        }
                    }
                }
                if (element.getKind() == ElementKind.MODULE) {
                    continue; // module-info's comment is the module page's, not a summary row
                }
                DocCommentTree comment = trees.getDocCommentTree(element);
                if (comment == null && (element.getKind() == ElementKind.RECORD_COMPONENT
                        || element instanceof ExecutableElement && (commentedByJavadoc((ExecutableElement) element)
                        || inheritsASummary(overridden((ExecutableElement) element, elements, types), trees)))) {
                    continue;
                }
                if (comment == null || comment.getFirstSentence().isEmpty()) {
                    reporter.print(Diagnostic.Kind.WARNING, element, (comment == null ? "no comment" : "no first sentence")
                            + ": the summary of " + element.getKind().toString().toLowerCase(Locale.ROOT).replace('_', ' ')
                            + " " + element + " is blank; begin its comment with what it is or does");
                } else if (element instanceof ExecutableElement) {
                    List<ExecutableElement> overridden = overridden((ExecutableElement) element, elements, types);
                    if (!overridden.isEmpty() && !inheritsASummary(overridden, trees)) {
                        checkTags((ExecutableElement) element, comment);
                    }
                }
            }
            return super.run(environment);
        }

        /**
         * Reports the {@code @param} and {@code @return} tags missing from the comment of a
         * method that overrides only JDK methods (or uncommented ones). Doclint does not ask for
         * them where a method overrides another, expecting them to be inherited; but javadoc has
         * no JDK comments to inherit them from, so the page would show no parameters.
         */
        private void checkTags(ExecutableElement executable, DocCommentTree comment) {
            Set<String> documented = new HashSet<>();
            boolean returns = false;
            List<DocTree> trees = new ArrayList<>(comment.getFullBody());
            trees.addAll(comment.getBlockTags());
            for (DocTree tree : trees) {
                if (tree instanceof ParamTree) {
                    ParamTree param = (ParamTree) tree;
                    documented.add((param.isTypeParameter() ? "<" : "") + param.getName() + (param.isTypeParameter() ? ">" : ""));
                }
                returns |= tree.getKind() == DocTree.Kind.RETURN;
            }
            List<String> missing = new ArrayList<>();
            executable.getTypeParameters().forEach(t -> missing.add("<" + t.getSimpleName() + ">"));
            executable.getParameters().forEach(p -> missing.add(p.getSimpleName().toString()));
            missing.removeAll(documented);
            missing.replaceAll(name -> "@param " + name);
            if (!returns && executable.getReturnType().getKind() != TypeKind.VOID
                    && executable.getKind() == ElementKind.METHOD) {
                missing.add("@return");
            }
            if (!missing.isEmpty()) {
                reporter.print(Diagnostic.Kind.WARNING, executable, "no " + String.join(", ", missing) + " for " + executable
                        + " (doclint expects them inherited, but javadoc has no JDK comment to inherit them from)");
            }
        }

        /**
         * Tells whether javadoc writes the comment of this uncommented method itself: an enum's
         * {@code values()} and {@code valueOf(String)}, a record's accessors (from the record's
         * {@code @param}, as its components), {@code equals}, {@code hashCode} and {@code toString}.
         */
        private static boolean commentedByJavadoc(ExecutableElement method) {
            String name = method.getSimpleName().toString();
            int parameters = method.getParameters().size();
            switch (method.getEnclosingElement().getKind()) {
                case ENUM:
                    return name.equals("values") && parameters == 0 || name.equals("valueOf") && parameters == 1;
                case RECORD:
                    return parameters == 0 && (name.equals("hashCode") || name.equals("toString")
                            || ElementFilter.recordComponentsIn(method.getEnclosingElement().getEnclosedElements()).stream()
                                    .anyMatch(component -> component.getSimpleName().contentEquals(name)))
                            || parameters == 1 && name.equals("equals");
                default:
                    return false;
            }
        }

        private static boolean inheritsASummary(List<ExecutableElement> overridden, DocTrees trees) {
            return overridden.stream().map(trees::getDocCommentTree)
                    .anyMatch(inherited -> inherited != null && !inherited.getFirstSentence().isEmpty());
        }

        /** The methods of supertypes (in these sources or the JDK's) that {@code method} overrides. */
        private static List<ExecutableElement> overridden(ExecutableElement method, Elements elements, Types types) {
            List<ExecutableElement> overridden = new ArrayList<>();
            if (method.getKind() != ElementKind.METHOD) {
                return overridden;
            }
            TypeElement owner = (TypeElement) method.getEnclosingElement();
            Set<TypeElement> supertypes = new LinkedHashSet<>();
            Deque<TypeMirror> pending = new ArrayDeque<>(types.directSupertypes(owner.asType()));
            while (!pending.isEmpty()) {
                TypeMirror supertype = pending.pop();
                if (supertypes.add((TypeElement) types.asElement(supertype))) {
                    pending.addAll(types.directSupertypes(supertype));
                }
            }
            for (TypeElement supertype : supertypes) {
                for (ExecutableElement candidate : ElementFilter.methodsIn(supertype.getEnclosedElements())) {
                    if (elements.overrides(method, candidate, owner)) {
                        overridden.add(candidate);
                    }
                }
            }
            return overridden;
        }
    }
}
