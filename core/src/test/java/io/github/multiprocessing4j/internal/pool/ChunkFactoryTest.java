package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.SerializableCallable;
import io.github.multiprocessing4j.SerializableFunction;
import io.github.multiprocessing4j.SerializableRunnable;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a submitted task's chunk carries: a task that captures nothing names a function serialized
 * once, one per lambda class, which its workers define once; a task that captures values, or is
 * not a lambda, carries itself; a function submitted with its argument carries the argument as a
 * section of one value. Either way it is a task submitted on its own, not a map call's.
 */
class ChunkFactoryTest {
    /** Channels that carry messages of up to 4 KiB, as a server with a size limit does. */
    private final ChunkFactory factory = new ChunkFactory(new ChannelOfAtMost(4096));

    @Test
    void tasksThatCaptureNothingNameOneFunctionPerLambdaClassAndCarryNone() throws Exception {
        SerializableCallable<Integer> answer = () -> 42;
        SerializableRunnable idle = () -> { };
        Chunk first = factory.taskChunk(new PoolTask.Call(answer), null, 0);
        Chunk again = factory.taskChunk(new PoolTask.Call(answer), null, 0);
        Chunk run = factory.taskChunk(new PoolTask.Run(idle, null), null, 0);

        assertThat(first.function).isNotNull().isSameAs(again.function);
        assertThat(run.function).isNotNull().isNotSameAs(first.function);
        assertThat(run.function.id).isNotEqualTo(first.function.id);
        assertThat(again.kind).as("a kind per class of task").isEqualTo(first.kind).isNotEqualTo(run.kind);
        for (Chunk chunk : new Chunk[] {first, again, run}) {
            assertThat(namedFunction(chunk)).isEqualTo(chunk.function.id);
            assertThat(inlineLength(chunk)).as("no function of its own").isZero();
            assertThat(chunk.ofMapCall()).isFalse();
        }
        Object defined = Serialization.deserialize(first.function.defineMessage, 9,
                first.function.defineMessage.length - 9, getClass().getClassLoader());
        assertThat(((Callable<?>) defined).call()).isEqualTo(42);
    }

    @Test
    void aTaskThatCapturesAValueOrIsNoLambdaCarriesItselfEachTime() {
        int base = 40; // not final: captured, not a constant
        SerializableCallable<Integer> plus = () -> base + 2;
        Chunk capturing = factory.taskChunk(new PoolTask.Call(plus), null, 0);
        Chunk object = factory.taskChunk(new PoolTask.Call(new Answer()), null, 0);

        for (Chunk chunk : new Chunk[] {capturing, object}) {
            assertThat(chunk.function).isNull();
            assertThat(namedFunction(chunk)).isZero();
            assertThat(inlineLength(chunk)).isPositive();
        }
        assertThat(factory.taskChunk(new PoolTask.Call(plus), null, 0).kind).isEqualTo(capturing.kind);
        assertThat(capturing.kind).isNotEqualTo(object.kind);
        assertThat(Serialization.isStatelessLambda(plus)).isFalse();
        assertThat(Serialization.isStatelessLambda(new Answer())).as("a class without fields, but no lambda").isFalse();
        assertThat(Serialization.isStatelessLambda((SerializableCallable<Integer>) () -> 1)).isTrue();
    }

    @Test
    void aFunctionSubmittedWithItsArgumentCarriesTheArgumentAsOneValue() throws Exception {
        SerializableFunction<Integer, Integer> twice = x -> x * 2;
        int base = 40; // not final: captured
        SerializableFunction<Integer, Integer> plusBase = x -> x + base;
        Chunk stateless = factory.taskChunk(new PoolTask.Apply(twice, 21), null, 0);
        Chunk capturing = factory.taskChunk(new PoolTask.Apply(plusBase, 2), null, 0);

        assertThat(stateless.function).isNotNull();
        assertThat(stateless.function.submitted).isTrue();
        assertThat(capturing.function).isNull();
        for (Chunk chunk : new Chunk[] {stateless, capturing}) {
            assertThat(mode(chunk)).isEqualTo(PoolMessages.APPLY);
            Wire.Reader in = atFunction(chunk);
            in.getLong();
            in.getBytes(in.getInt()); // the function, when it travels inline
            ValueSection.Decoder argument = ValueSection.decoder(in, getClass().getClassLoader());
            assertThat(argument.count()).isEqualTo(1);
            assertThat(argument.next()).isEqualTo(chunk == stateless ? 21 : 2);
        }
        assertThat(Serialization.isStatelessLambda(plusBase)).isFalse();
        assertThat(stateless.kind).as("the function's class is the kind").isNotEqualTo(capturing.kind)
                .isEqualTo(factory.taskChunk(new PoolTask.Apply(twice, 1), null, 0).kind);
    }

    @Test
    void aMapCallsFunctionIsItsCallsOwnKind() {
        Chunk mapped = factory.mapChunk(factory.function((SerializableFunction<Integer, Integer>) x -> x + 1),
                List.of(1, 2).iterator(), 2, 2, false, 0, null, 0);
        assertThat(mapped.ofMapCall()).isTrue();
        assertThat(mapped.kind).isEqualTo(mapped.function.id).isPositive();
    }

    @Test
    void aMessageLargerThanTheChannelsCarryIsRefusedWhereItIsMadeAndTheNextOneIsNot() {
        byte[] large = new byte[8192];
        SerializableCallable<Integer> capturing = () -> large.length;
        SerializableFunction<byte[], Integer> length = array -> array.length;
        assertThatThrownBy(() -> factory.taskChunk(new PoolTask.Call(capturing), null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the task: ").hasMessageContaining("at most 4096");
        assertThatThrownBy(() -> factory.taskChunk(new PoolTask.Apply(length, large), null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the task: ");
        FunctionRef function = factory.function(length);
        assertThatThrownBy(() -> factory.mapChunk(function, List.of(new byte[10], large).iterator(), 2, 2, false, 0, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("a chunk of the map's items: ");
        assertThatThrownBy(() -> factory.function((SerializableFunction<Integer, Integer>) x -> x + large.length))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the function: ");
        assertThat(factory.mapChunk(function, List.of(new byte[10]).iterator(), 2, 2, false, 0, null, 0).count).isEqualTo(1);
        assertThat(factory.taskChunk(new PoolTask.Apply(length, new byte[100]), null, 0).function).isNotNull();
    }

    /** A channel that only says which messages it carries: up to {@code limit} bytes. */
    private static final class ChannelOfAtMost implements MessageChannel {
        private final long limit;

        ChannelOfAtMost(long limit) {
            this.limit = limit;
        }

        @Override
        public void checkMessageFits(String what, long bytes) {
            if (bytes > limit) {
                throw new IllegalArgumentException(what + ": " + bytes + " bytes, and the channel carries at most " + limit);
            }
        }

        @Override
        public void put(byte[] message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Wire.Reader take() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Wire.Reader poll() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int discard() {
            throw new UnsupportedOperationException();
        }
    }

    /** A task that is a class of its own, serialized as an object. */
    private static final class Answer implements SerializableCallable<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            return 42;
        }
    }

    private static long namedFunction(Chunk chunk) {
        return atFunction(chunk).getLong();
    }

    private static int inlineLength(Chunk chunk) {
        Wire.Reader in = atFunction(chunk);
        in.getLong();
        return in.getInt();
    }

    private static byte mode(Chunk chunk) {
        Wire.Reader in = new Wire.Reader((byte[]) chunk.message);
        in.getByte();
        in.getLong();
        return in.getByte();
    }

    /** @return the chunk's message, read up to its function id ({@link PoolMessages}: kind, chunk id, mode) */
    private static Wire.Reader atFunction(Chunk chunk) {
        Wire.Reader in = new Wire.Reader((byte[]) chunk.message);
        in.getByte();
        in.getLong();
        in.getByte();
        return in;
    }
}
