package io.github.multiprocessing4j;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import org.junit.jupiter.api.Test;

import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The calls a user writes with a lambda or a method reference, compiled by javac against the
 * built classes: every one must compile, and resolve to the overload named, the serializable one
 * wherever a lambda goes (Java makes a lambda serializable only when its target type is). Every
 * public method of the API that takes a functional interface is here: {@code ProcessPool}'s
 * {@code submit}, {@code execute}, {@code apply}, {@code applyAsync} (of a task, and of a function
 * with its argument), {@code invokeAll},
 * {@code invokeAny}, {@code map}, {@code imap}, {@code imapUnordered}, {@code starmap},
 * {@code starmapAsync}, {@code mapAsync} and its builder's {@code initializer}, and
 * {@code ChildProcess}'s constructors and builder; with void and value lambdas, expression and block bodies, bodies that throw checked exceptions, and static, bound
 * and instance method references. The overloads chosen here are run for real by
 * {@code ProcessPoolTest}, {@code ProcessPoolAsyncMapTest} and {@code ChildProcessTest}.
 */
class LambdaOverloadsCompileTest {
    private static final String API = "io.github.multiprocessing4j.";
    private static final String SR = API + "SerializableRunnable";
    private static final String SC = API + "SerializableCallable";
    private static final String SF = API + "SerializableFunction";
    private static final String SBF = API + "SerializableBiFunction";
    private static final String LISTENER = API + "ProcessPool.ProgressListener";

    /** Statement to compile with {@code pool} (a ProcessPool) in scope, and the overload it must call. */
    private static final Map<String, String> CASES = new LinkedHashMap<>();

    static {
        // submit and execute: the ExecutorService calls that were ambiguous
        CASES.put("pool.submit(() -> System.out.println(\"x\"));", "submit(" + SR + ")");
        CASES.put("pool.submit(() -> { Thread.sleep(1); });", "submit(" + SR + ")");
        CASES.put("pool.submit(() -> { throw new IOException(\"x\"); });", "submit(" + SC + ")");
        CASES.put("pool.submit(() -> \"value\");", "submit(" + SC + ")");
        CASES.put("pool.submit(() -> { Thread.sleep(1); return 42; });", "submit(" + SC + ")");
        CASES.put("List<Integer> list = new ArrayList<>(); pool.submit(() -> list.add(1));", "submit(" + SC + ")");
        CASES.put("pool.submit(Snippets::pause);", "submit(" + SR + ")");
        CASES.put("pool.submit(Snippets::answer);", "submit(" + SC + ")");
        CASES.put("pool.submit(this::work);", "submit(" + SR + ")");
        CASES.put("pool.submit(() -> { Thread.sleep(1); }, \"done\");", "submit(" + SR + ",java.lang.Object)");
        CASES.put("pool.submit(Snippets::pause, 1);", "submit(" + SR + ",java.lang.Object)");
        CASES.put("pool.execute(() -> System.out.println(\"x\"));", "execute(" + SR + ")");
        CASES.put("pool.execute(() -> { Thread.sleep(1); });", "execute(" + SR + ")");
        CASES.put("pool.execute(Snippets::pause);", "execute(" + SR + ")");
        CASES.put("pool.execute(this::work);", "execute(" + SR + ")");
        // a variable of a JDK type still goes to the ExecutorService method
        CASES.put("Runnable r = () -> { }; pool.submit(r);", "submit(java.lang.Runnable)");
        CASES.put("Callable<String> c = () -> \"x\"; pool.submit(c);", "submit(java.util.concurrent.Callable)");
        CASES.put("Runnable r = () -> { }; pool.execute(r);", "execute(java.lang.Runnable)");
        // apply
        CASES.put("int one = pool.apply(() -> { Thread.sleep(1); return 1; });", "apply(" + SC + ")");
        CASES.put("CompletableFuture<String> f = pool.applyAsync(Snippets::answer);", "applyAsync(" + SC + ")");
        CASES.put("int length = pool.apply(String::length, \"ticket\");", "apply(" + SF + ",java.lang.Object)");
        CASES.put("CompletableFuture<Integer> f = pool.applyAsync(x -> { Thread.sleep(1); return x * 2; }, 21);",
                "applyAsync(" + SF + ",java.lang.Object)");
        // invokeAll and invokeAny
        CASES.put("pool.invokeAll(() -> 1, () -> { Thread.sleep(1); return 2; });", "invokeAll(" + SC + "[])");
        CASES.put("String s = pool.invokeAny(Snippets::answer, () -> \"b\");", "invokeAny(" + SC + "[])");
        CASES.put("List<SerializableCallable<Integer>> tasks = List.of(() -> 1); pool.invokeAll(tasks);",
                "invokeAll(java.util.Collection)");
        CASES.put("List<SerializableCallable<Integer>> tasks = List.of(() -> 1);"
                + " pool.invokeAll(tasks, 1, TimeUnit.SECONDS);", "invokeAll(java.util.Collection,long,java.util.concurrent.TimeUnit)");
        CASES.put("List<SerializableCallable<Integer>> tasks = List.of(() -> 1); int any = pool.invokeAny(tasks);",
                "invokeAny(java.util.Collection)");
        // the documented trap: compiles, but the lambda is a plain Callable (refused at submission)
        CASES.put("pool.invokeAll(List.of(() -> 1));", "invokeAll(java.util.Collection)");
        // map, imap, imapUnordered: lambdas, checked exceptions, method references, every input
        CASES.put("List<Integer> r = pool.map(x -> x * x, List.of(1, 2));", "map(" + SF + ",java.lang.Iterable)");
        CASES.put("pool.map(x -> { if (x < 0) { throw new IOException(); } return x; }, List.of(1));",
                "map(" + SF + ",java.lang.Iterable)");
        CASES.put("List<Integer> r = pool.map(Snippets::square, List.of(1));", "map(" + SF + ",java.lang.Iterable)");
        CASES.put("List<Integer> r = pool.map(x -> x + 1, new Integer[] {1, 2});", "map(" + SF + ",java.lang.Object[])");
        CASES.put("List<Integer> r = pool.map(x -> x + 1, new Integer[] {1, 2}, 2);",
                "map(" + SF + ",java.lang.Object[],int)");
        CASES.put("List<Integer> r = pool.map(x -> x + 1, Stream.of(1, 2));", "map(" + SF + ",java.util.stream.Stream)");
        CASES.put("List<Integer> r = pool.map(x -> x + 1, Stream.of(1, 2), 4);",
                "map(" + SF + ",java.util.stream.Stream,int)");
        CASES.put("pool.map(x -> x, List.of(1), 4);", "map(" + SF + ",java.lang.Iterable,int)");
        CASES.put("pool.map(x -> x, List.of(1), (done, total) -> { });", "map(" + SF + ",java.lang.Iterable," + LISTENER + ")");
        CASES.put("pool.map(x -> x, List.of(1), 2, null);", "map(" + SF + ",java.lang.Iterable,int," + LISTENER + ")");
        CASES.put("for (int r : pool.imap(x -> x * 2, List.of(1))) { }", "imap(" + SF + ",java.lang.Iterable)");
        CASES.put("Iterator<Integer> it = pool.imap(Snippets::square, List.of(1), 2);", "imap(" + SF + ",java.lang.Iterable,int)");
        CASES.put("long n = pool.imap(Snippets::square, new Integer[] {1}).stream().count();", "imap(" + SF + ",java.lang.Object[])");
        CASES.put("pool.imap(x -> x, new Integer[] {1}, 2);", "imap(" + SF + ",java.lang.Object[],int)");
        CASES.put("pool.imap(x -> x, Stream.iterate(0, i -> i + 1));", "imap(" + SF + ",java.util.stream.Stream)");
        CASES.put("pool.imap(x -> x, Stream.of(1), 3);", "imap(" + SF + ",java.util.stream.Stream,int)");
        CASES.put("pool.imap(x -> x, List.of(1), 1, (d, t) -> { });", "imap(" + SF + ",java.lang.Iterable,int," + LISTENER + ")");
        CASES.put("for (int r : pool.imapUnordered(x -> x, List.of(1))) { }", "imapUnordered(" + SF + ",java.lang.Iterable)");
        CASES.put("pool.imapUnordered(x -> x, List.of(1), 2);", "imapUnordered(" + SF + ",java.lang.Iterable,int)");
        CASES.put("pool.imapUnordered(x -> x, new Integer[] {1});", "imapUnordered(" + SF + ",java.lang.Object[])");
        CASES.put("pool.imapUnordered(x -> x, new Integer[] {1}, 2);", "imapUnordered(" + SF + ",java.lang.Object[],int)");
        CASES.put("Iterator<Integer> it = pool.imapUnordered(x -> x, Stream.iterate(0, i -> i + 1));",
                "imapUnordered(" + SF + ",java.util.stream.Stream)");
        CASES.put("pool.imapUnordered(x -> x, Stream.of(1), 3);", "imapUnordered(" + SF + ",java.util.stream.Stream,int)");
        CASES.put("pool.imapUnordered(x -> x, List.of(1), 1, (d, t) -> { });",
                "imapUnordered(" + SF + ",java.lang.Iterable,int," + LISTENER + ")");
        // starmap, starmapAsync, mapAsync: pairs as Map.Entry, method references of two arguments
        CASES.put("List<Integer> r = pool.starmap((a, b) -> a + b, List.of(Map.entry(1, 2)));",
                "starmap(" + SBF + ",java.lang.Iterable)");
        CASES.put("List<Double> r = pool.starmap(Math::pow, List.of(Map.entry(2.0, 3.0)));",
                "starmap(" + SBF + ",java.lang.Iterable)");
        CASES.put("Map<String, Integer> m = new HashMap<>(); List<String> r = pool.starmap(String::repeat, m.entrySet(), 2);",
                "starmap(" + SBF + ",java.lang.Iterable,int)");
        CASES.put("CompletableFuture<List<String>> f = pool.starmapAsync((s, n) -> { if (n < 0) { throw new IOException(); }"
                + " return s.repeat(n); }, List.of(Map.entry(\"a\", 2)));", "starmapAsync(" + SBF + ",java.lang.Iterable)");
        CASES.put("CompletableFuture<List<Integer>> f = pool.mapAsync(Snippets::square, List.of(1));",
                "mapAsync(" + SF + ",java.lang.Iterable)");
        CASES.put("pool.mapAsync(x -> { Thread.sleep(1); return x; }, List.of(1), 2).thenAccept(r -> { });",
                "mapAsync(" + SF + ",java.lang.Iterable,int)");
        // the pool's initializer, and ChildProcess
        CASES.put("ProcessPool.builder().initializer(() -> { Thread.sleep(1); });", "initializer(" + SR + ")");
        CASES.put("new ChildProcess(() -> { Thread.sleep(1); });", "ChildProcess(" + SR + ")");
        CASES.put("new ChildProcess(() -> System.out.println(\"x\"));", "ChildProcess(" + SR + ")");
        CASES.put("new ChildProcess(\"n\", Snippets::pause);", "ChildProcess(java.lang.String," + SR + ")");
        CASES.put("ChildProcess.builder(this::work).name(\"n\");", "builder(" + SR + ")");
        // a typed pipe needs no cast
        CASES.put("Pipe<String> p = Pipe.open(); String s = p.left().recv();", "recv()");
    }

    @Test
    void everyLambdaAndMethodReferenceCompilesAndCallsTheSerializableOverload() {
        StringBuilder source = new StringBuilder();
        source.append("package snippets;\n")
                .append("import io.github.multiprocessing4j.*;\n")
                .append("import java.io.IOException;\n")
                .append("import java.util.*;\n")
                .append("import java.util.concurrent.*;\n")
                .append("import java.util.stream.*;\n")
                .append("class Snippets {\n")
                .append("    static void pause() throws InterruptedException { Thread.sleep(1); }\n")
                .append("    static String answer() throws IOException { return \"42\"; }\n")
                .append("    static int square(int x) throws IOException { return x * x; }\n")
                .append("    void work() throws IOException { }\n");
        List<String> statements = new ArrayList<>(CASES.keySet());
        for (int i = 0; i < statements.size(); i++) {
            source.append("    void case").append(i).append("(ProcessPool pool) throws Exception { ")
                    .append(statements.get(i)).append(" }\n");
        }
        source.append("}\n");

        Compilation compilation = compile("snippets/Snippets.java", source.toString());

        assertThat(compilation.errors).as("compiler errors").isEmpty();
        for (int i = 0; i < statements.size(); i++) {
            assertThat(compilation.calls.get("case" + i)).as(statements.get(i))
                    .contains(CASES.get(statements.get(i)));
        }
    }

    @Test
    void theCompilationSeesTheAmbiguityOfUnrelatedRunnableOverloads() {
        // What pool.submit(() -> ...) hit before SerializableRunnable extended Runnable.
        String source = "package snippets;\n"
                + "interface Unrelated extends java.io.Serializable { void run() throws Exception; }\n"
                + "class Ambiguous {\n"
                + "    static void submit(Runnable r) { }\n"
                + "    static void submit(Unrelated r) { }\n"
                + "    void case0() { submit(() -> System.out.println(\"x\")); }\n"
                + "}\n";

        Compilation compilation = compile("snippets/Ambiguous.java", source);

        assertThat(compilation.errors).singleElement().asString().contains("reference to submit is ambiguous");
    }

    /** What javac said, and the API methods each {@code caseN} method calls, as {@code name(erased parameter types)}. */
    private record Compilation(List<String> errors, Map<String, Set<String>> calls) {
    }

    private static Compilation compile(String path, String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + path), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-proc:none",
                "--release", "17", "-Xlint:none");
        JavacTask task = (JavacTask) javac.getTask(null, null, diagnostics, options, null, List.of(file));
        Iterable<? extends CompilationUnitTree> units;
        try {
            units = task.parse();
            task.analyze();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(null))
                .collect(Collectors.toList());
        Map<String, Set<String>> calls = new HashMap<>();
        Trees trees = Trees.instance(task);
        Types types = task.getTypes();
        for (CompilationUnitTree unit : units) {
            new TreePathScanner<Void, Void>() {
                private String currentCase;

                @Override
                public Void visitMethod(MethodTree method, Void unused) {
                    currentCase = method.getName().toString();
                    return super.visitMethod(method, unused);
                }

                @Override
                public Void visitMethodInvocation(MethodInvocationTree call, Void unused) {
                    record(trees.getElement(getCurrentPath()));
                    return super.visitMethodInvocation(call, unused);
                }

                @Override
                public Void visitNewClass(NewClassTree call, Void unused) {
                    record(trees.getElement(getCurrentPath()));
                    return super.visitNewClass(call, unused);
                }

                private void record(Element element) {
                    if (!(element instanceof ExecutableElement method)
                            || !method.getEnclosingElement().toString().startsWith(API)) {
                        return;
                    }
                    String name = method.getKind() == ElementKind.CONSTRUCTOR
                            ? method.getEnclosingElement().getSimpleName().toString() : method.getSimpleName().toString();
                    List<String> parameters = new ArrayList<>();
                    for (VariableElement p : method.getParameters()) {
                        parameters.add(types.erasure(p.asType()).toString());
                    }
                    calls.computeIfAbsent(currentCase, k -> new TreeSet<>()).add(name + "(" + String.join(",", parameters) + ")");
                }
            }.scan(unit, null);
        }
        return new Compilation(errors, calls);
    }
}
