package io.github.multiprocessing4j;

import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a user is told when a value cannot be serialized, through the API: the class at fault and
 * how the value reached it, and that a lambda captured {@code this} only when it did (a lambda
 * using a field or method of a non-serializable enclosing object), not for a captured local, an
 * item or a result.
 */
class SerializationErrorsTest {
    private static final String THIS_HINT = "captures 'this'";
    private static final String NOT_SERIALIZABLE = ", which does not implement java.io.Serializable";

    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    /** A class that is not serializable, as most classes that lambdas are written in. */
    static final class Counter {
        private final int step = 1;

        ChildProcess childUsingAField() {
            return new ChildProcess(() -> System.out.println(step));
        }

        ChildProcess childCallingAMethod() {
            return new ChildProcess(() -> report());
        }

        ChildProcess childOfAMethodReference() {
            return new ChildProcess(this::report);
        }

        ChildProcess childOfAnAnonymousClass() {
            return new ChildProcess(new SerializableRunnable() {
                private static final long serialVersionUID = 1L;

                @Override
                public void runWithException() {
                    System.out.println(step);
                }
            });
        }

        Future<Integer> taskUsingAField(ProcessPool pool) {
            return pool.submit(() -> step);
        }

        void report() {
            System.out.println("reported");
        }
    }

    /** A serializable holder of whatever it is given. */
    record Box(Object content) implements Serializable {
    }

    @Test
    void aLambdaUsingAFieldOrMethodOfItsEnclosingObjectIsToldItCapturesThis() {
        Counter counter = new Counter();
        String expected = "a lambda in " + Counter.class.getName()
                + " uses a field or method of its enclosing object, so it captures 'this', an instance of "
                + Counter.class.getName() + NOT_SERIALIZABLE + " (copy what the lambda needs into a local variable"
                + " first, make the method it calls static, or make " + Counter.class.getName() + " serializable)";
        assertThatThrownBy(() -> counter.childUsingAField().start()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(targetRefused(expected));
        assertThatThrownBy(() -> counter.childCallingAMethod().start()).hasMessageMatching(targetRefused(expected));
        assertThatThrownBy(() -> counter.childOfAMethodReference().start()).hasMessageMatching(targetRefused(expected));
        assertThat(Multiprocessing.activeChildren()).isEmpty();
    }

    /** @return the pattern of a child's start refused for {@code reason} */
    private static String targetRefused(String reason) {
        return "the target of ChildProcess-\\d+ is not serializable: " + Pattern.quote(reason);
    }

    @Test
    void anAnonymousClassIsToldItRefersToItsEnclosingObject() {
        Counter counter = new Counter();
        assertThatThrownBy(() -> counter.childOfAnAnonymousClass().start()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(targetRefused(Counter.class.getName() + "$1, an inner or anonymous class, refers to"
                        + " its enclosing object, an instance of " + Counter.class.getName() + NOT_SERIALIZABLE
                        + " (make it a lambda or a static nested class, or make " + Counter.class.getName()
                        + " serializable)"));
    }

    @Test
    void aCapturedLocalIsNamedWithoutTheHintAboutThis() {
        Optional<String> maybe = Optional.of("ticket");
        ChildProcess child = new ChildProcess(() -> System.out.println(maybe.orElse("none")));
        assertThatThrownBy(child::start).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(targetRefused("a lambda in " + SerializationErrorsTest.class.getName()
                        + " captures an instance of java.util.Optional" + NOT_SERIALIZABLE));
    }

    @Test
    void anItemPutOnAQueueIsNamedWithoutTheHintAboutThis() {
        ProcessQueue<Object> queue = shared.track(new ProcessQueue<>());
        assertThatThrownBy(() -> queue.put(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the item is not serializable: it is an instance of java.lang.Object" + NOT_SERIALIZABLE);
        assertThatThrownBy(() -> queue.put(new Box(new Object()))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the item is not serializable: it refers to an instance of java.lang.Object (field "
                        + Box.class.getName() + ".content)" + NOT_SERIALIZABLE);
        assertThat(queue.qsize()).isZero();
    }

    @Test
    void aTaskResultOrMapItemIsNamedWithoutTheHintAboutThisAndACapturingTaskWithIt() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            Future<Object> result = pool.submit(() -> new Object());
            assertThatThrownBy(result::get).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the result is not serializable: it is an instance of java.lang.Object" + NOT_SERIALIZABLE);
            // In a chunk, only the result that cannot be serialized fails; the others come back.
            ResultIterator<Object> chunk = pool.imap(x -> x == 2 ? new Object() : List.of(x), List.of(1, 2, 3), 3);
            assertThat(chunk.next()).isEqualTo(List.of(1));
            assertThatThrownBy(chunk::next).isInstanceOf(CompletionException.class).cause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the result is not serializable: it is an instance of java.lang.Object" + NOT_SERIALIZABLE);
            assertThat(chunk.next()).isEqualTo(List.of(3));
            assertThat(chunk.hasNext()).isFalse();
            assertThatThrownBy(() -> pool.map(x -> x, List.of(1, new Object(), 3), 3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the item is not serializable: it is an instance of java.lang.Object" + NOT_SERIALIZABLE);
            assertThatThrownBy(() -> new Counter().taskUsingAField(pool)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the task is not serializable: a lambda in " + Counter.class.getName())
                    .hasMessageContaining(THIS_HINT);
            assertThat(pool.apply(() -> 7)).isEqualTo(7);
        }
    }
}
