package io.github.multiprocessing4j.internal.serial;

import io.github.multiprocessing4j.SerializableCallable;
import io.github.multiprocessing4j.SerializableRunnable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerializationTest {
    private static final ClassLoader LOADER = SerializationTest.class.getClassLoader();

    @Test
    void aLambdaCapturingSimpleValuesTakesTheDirectEncodingAndComesBackWorking() throws Exception {
        String s = "ticket";
        int i = 7;
        long l = 1L << 40;
        boolean b = true;
        double d = 2.5;
        float f = 1.5f;
        short sh = 3;
        byte by = 4;
        char c = 'x';
        byte[] bytes = {1, 2, 3};
        String none = null;
        SerializableCallable<String> target = () -> s + i + l + b + d + f + sh + by + c + bytes.length + none;

        byte[] encoded = Serialization.serialize(target, "target");

        assertThat(encoded[0]).isEqualTo(LambdaEncoding.TAG);
        @SuppressWarnings("unchecked")
        SerializableCallable<String> back = (SerializableCallable<String>) Serialization.deserialize(encoded, LOADER);
        assertThat(back.call()).isEqualTo(target.call());
    }

    /**
     * A lambda class's reflection is looked up once: each lambda of the class still carries and
     * gets back its own captured values, and lambdas of two classes of one capturing class their
     * own bodies.
     */
    @Test
    void lambdasOfOneClassEachComeBackWithTheirOwnCapturedValues() throws Exception {
        for (int i = 0; i < 4; i++) {
            int captured = i;
            SerializableCallable<Integer> plusOne = () -> captured + 1;
            SerializableCallable<Integer> timesTen = () -> captured * 10;
            byte[] first = Serialization.serialize(plusOne, "task");
            byte[] second = Serialization.serialize(timesTen, "task");
            assertThat(first[0]).isEqualTo(LambdaEncoding.TAG);
            assertThat(((SerializableCallable<?>) Serialization.deserialize(first, LOADER)).call()).isEqualTo(i + 1);
            assertThat(((SerializableCallable<?>) Serialization.deserialize(second, LOADER)).call()).isEqualTo(i * 10);
        }
    }

    @Test
    void aMethodReferenceTakesTheDirectEncoding() throws Exception {
        SerializableCallable<String> target = SerializationTest::answer;
        byte[] encoded = Serialization.serialize(target, "target");
        assertThat(encoded[0]).isEqualTo(LambdaEncoding.TAG);
        assertThat(((SerializableCallable<?>) Serialization.deserialize(encoded, LOADER)).call()).isEqualTo("42");
    }

    @Test
    void otherCapturedValuesTravelInOneStreamInsideTheDirectEncoding() throws Exception {
        List<String> list = new ArrayList<>(List.of("a", "b"));
        List<String> sameList = list;
        TimeUnit unit = TimeUnit.SECONDS;
        int n = 3;
        SerializableCallable<String> lambda = () -> list + " " + unit + " " + n + " " + (list == sameList);
        byte[] encoded = Serialization.serialize(lambda, "target");
        assertThat(encoded[0]).isEqualTo(LambdaEncoding.TAG);
        assertThat(((SerializableCallable<?>) Serialization.deserialize(encoded, LOADER)).call())
                .isEqualTo("[a, b] SECONDS 3 true");

        SerializableRunnable target = () -> CALLS.add(list.get(1) + unit.toString().charAt(0));
        Callable<Object> back = Serialization.deserializeTarget(Serialization.serialize(target, "target"), LOADER);
        assertThat(back).as("called from its recipe, not rebuilt").isInstanceOf(ReflectiveTarget.class);
        CALLS.clear();
        back.call();
        assertThat(CALLS).containsExactly("bS");
    }

    @Test
    void classesFallBackToJdkSerialization() throws Exception {
        byte[] plain = Serialization.serialize(new NamedTask("plain"), "target");
        assertThat(plain[0]).isEqualTo((byte) 0xac);
        assertThat(Serialization.deserialize(plain, LOADER)).hasToString("plain");
    }

    @Test
    void anUnserializableCaptureIsNamed() {
        Object lock = new Object();
        SerializableRunnable target = () -> System.out.println(lock);
        assertThatThrownBy(() -> Serialization.serialize(target, "target"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
    }

    @Test
    void aProcessTargetIsCalledFromItsRecipeWithoutRebuildingTheLambda() throws Exception {
        String who = "buyer";
        int number = 3;
        SerializableRunnable target = () -> CALLS.add(who + "-" + number);
        SerializableRunnable reference = SerializationTest::recordCall;

        Callable<Object> back = Serialization.deserializeTarget(Serialization.serialize(target, "target"), LOADER);
        Callable<Object> backReference = Serialization.deserializeTarget(Serialization.serialize(reference, "target"), LOADER);

        assertThat(back).isInstanceOf(ReflectiveTarget.class);
        assertThat(back.toString()).as("the lambda's body itself, not a rebuilt lambda's method").contains("lambda$");
        assertThat(backReference).isInstanceOf(ReflectiveTarget.class);
        assertThat(backReference.toString()).contains("recordCall");
        CALLS.clear();
        back.call();
        backReference.call();
        assertThat(CALLS).containsExactly("buyer-3", "reference");
    }

    @Test
    void aCalledTargetThrowsWhatItsBodyThrows() throws Exception {
        String message = "no ticket left";
        SerializableRunnable checked = () -> {
            throw new java.io.IOException(message);
        };
        SerializableRunnable error = () -> {
            throw new AssertionError(message);
        };
        String receiver = "not locked";
        SerializableRunnable boundReference = receiver::wait; // an instance method of a captured receiver

        assertThatThrownBy(() -> Serialization.deserializeTarget(Serialization.serialize(checked, "target"), LOADER).call())
                .isExactlyInstanceOf(java.io.IOException.class).hasMessage(message);
        assertThatThrownBy(() -> Serialization.deserializeTarget(Serialization.serialize(error, "target"), LOADER).call())
                .isExactlyInstanceOf(AssertionError.class).hasMessage(message);
        Callable<Object> boundBack = Serialization.deserializeTarget(Serialization.serialize(boundReference, "target"), LOADER);
        assertThat(boundBack).isInstanceOf(ReflectiveTarget.class);
        assertThatThrownBy(boundBack::call).isExactlyInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void aTargetThatIsAClassIsRebuiltAndCalledThroughItsInterface() throws Exception {
        SerializableRunnable plain = new NamedTask("plain");
        SerializableRunnable lambda = () -> CALLS.add("lambda");
        Callable<Object> back = Serialization.deserializeTarget(Serialization.serialize(plain, "target"), LOADER);
        assertThat(back).hasToString("plain");
        CALLS.clear();
        assertThat(back.call()).isNull();
        assertThat(CALLS).containsExactly("plain ran");
        assertThat(Serialization.firstClassOf(lambda)).isEqualTo(SerializationTest.class.getName());
        assertThat(Serialization.firstClassOf(plain)).isEqualTo(NamedTask.class.getName());
    }

    @Test
    void aTargetClassIsCalledThroughItsBodyWhoseCheckedExceptionIsNotWrapped() {
        SerializableRunnable refusing = new RefusingTask();
        assertThatThrownBy(() -> Serialization.deserializeTarget(Serialization.serialize(refusing, "target"), LOADER).call())
                .isExactlyInstanceOf(java.io.IOException.class).hasMessage("refused");
    }

    /** A target class whose body throws a checked exception. */
    static final class RefusingTask implements SerializableRunnable {
        private static final long serialVersionUID = 1L;

        @Override
        public void runWithException() throws java.io.IOException {
            throw new java.io.IOException("refused");
        }
    }

    @Test
    void aLambdaOfAnotherShapeIsRebuiltAndCalledThroughItsInterface() throws Exception {
        SerializableRunnable construct = Touch::new; // a constructor: the lambda is rebuilt
        Callable<Object> back = Serialization.deserializeTarget(Serialization.serialize(construct, "target"), LOADER);
        assertThat(back).isInstanceOf(ReflectiveTarget.class);
        CALLS.clear();
        back.call();
        assertThat(CALLS).containsExactly("touched");
    }

    @Test
    void bytesThatHoldNoTargetAreRefusedAsTargets() {
        byte[] list = Serialization.serialize(new ArrayList<>(List.of("x")), "value");
        assertThatThrownBy(() -> Serialization.deserializeTarget(list, LOADER)).isInstanceOf(ClassCastException.class)
                .hasMessageContaining("java.util.ArrayList");
    }

    @Test
    void aLambdaCapturingALargeStringAndEmptyArraysKeepsTheDirectEncoding() throws Exception {
        String large = "ü".repeat(100_000); // past writeUTF's 64 KiB
        byte[] empty = {};
        Object nothing = null;
        SerializableCallable<String> lambda = () -> large.length() + "/" + empty.length + "/" + nothing;
        byte[] encoded = Serialization.serialize(lambda, "target");
        assertThat(encoded[0]).isEqualTo(LambdaEncoding.TAG);
        assertThat(((SerializableCallable<?>) Serialization.deserialize(encoded, LOADER)).call()).isEqualTo("100000/0/null");
    }

    /**
     * Captured arrays of 64 KiB and more are held by reference while the lambda is encoded and
     * copied once at the end: each lands where it belongs, between the values around it.
     */
    @Test
    void aLambdaCapturingLargeArraysBetweenOtherValuesComesBackWithEachInItsPlace() throws Exception {
        byte[] first = new byte[(64 << 10) + 3];
        byte[] second = new byte[1 << 20];
        java.util.Arrays.fill(first, (byte) 1);
        java.util.Arrays.fill(second, (byte) 2);
        first[first.length - 1] = 9;
        second[0] = 8;
        String before = "before";
        int between = 42;
        String after = "after";
        SerializableCallable<String> lambda = () -> before + first.length + "/" + first[first.length - 1] + "/" + between
                + "/" + second.length + "/" + second[0] + second[1] + "/" + after;

        byte[] encoded = Serialization.serialize(lambda, "target");

        assertThat(encoded[0]).isEqualTo(LambdaEncoding.TAG);
        assertThat(Serialization.needsObjectStream(encoded)).isFalse();
        assertThat(encoded.length).isBetween(first.length + second.length, first.length + second.length + 1024);
        assertThat(((SerializableCallable<?>) Serialization.deserialize(encoded, LOADER)).call())
                .isEqualTo(lambda.call()).isEqualTo("before65539/9/42/1048576/82/after");
    }

    @Test
    void aDamagedLambdaEncodingIsAnIoException() {
        SerializableCallable<String> lambda = SerializationTest::answer;
        byte[] encoded = Serialization.serialize(lambda, "target");
        byte[] cut = java.util.Arrays.copyOf(encoded, encoded.length / 2);
        assertThatThrownBy(() -> Serialization.deserialize(cut, LOADER)).isInstanceOf(java.io.IOException.class);
    }

    private static final List<String> CALLS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static void recordCall() {
        CALLS.add("reference");
    }

    private static String answer() {
        return "42";
    }

    /** A target that is a class, not a lambda. */
    static final class NamedTask implements SerializableRunnable {
        private static final long serialVersionUID = 1L;
        private final String name;

        NamedTask(String name) {
            this.name = name;
        }

        @Override
        public void runWithException() {
            CALLS.add(name + " ran");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Leaves a trace when made. */
    static final class Touch {
        Touch() {
            CALLS.add("touched");
        }
    }
}
