package io.github.multiprocessing4j.internal.serial;

import io.github.multiprocessing4j.SerializableCallable;
import io.github.multiprocessing4j.SerializableRunnable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
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

    @Test
    void aMethodReferenceTakesTheDirectEncoding() throws Exception {
        SerializableCallable<String> target = SerializationTest::answer;
        byte[] encoded = Serialization.serialize(target, "target");
        assertThat(encoded[0]).isEqualTo(LambdaEncoding.TAG);
        assertThat(((SerializableCallable<?>) Serialization.deserialize(encoded, LOADER)).call()).isEqualTo("42");
    }

    @Test
    void otherCapturesAndClassesFallBackToJdkSerialization() throws Exception {
        List<String> list = new ArrayList<>(List.of("a", "b"));
        TimeUnit unit = TimeUnit.SECONDS;
        SerializableCallable<String> lambda = () -> list + " " + unit;
        byte[] encoded = Serialization.serialize(lambda, "target");
        assertThat(encoded[0]).isEqualTo((byte) 0xac);
        assertThat(((SerializableCallable<?>) Serialization.deserialize(encoded, LOADER)).call()).isEqualTo("[a, b] SECONDS");

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
        public void run() {
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
