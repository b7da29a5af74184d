package io.github.multiprocessing4j;

import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.serial.ValueSection;
import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.testing.SharedObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The library's handles travel in a value section (a target's captured values, a pool task's
 * arguments and results) in their direct encoding, without a JDK serialization stream, and come
 * back as handles of the same shared objects; the others still go by JDK serialization.
 */
class HandleWireTest {
    @RegisterExtension
    final SharedObjects shared = new SharedObjects();

    @Test
    void everyHandleOverSharedMemoryTravelsWithoutAJdkStreamAndReachesTheSameObject() throws Exception {
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>(5));
        ProcessJoinableQueue<String> joinable = shared.track(new ProcessJoinableQueue<>());
        ProcessSimpleQueue<String> simple = shared.track(new ProcessSimpleQueue<>());
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessRLock rlock = shared.track(new ProcessRLock());
        ProcessSemaphore semaphore = shared.track(new ProcessSemaphore(2));
        ProcessBoundedSemaphore bounded = shared.track(new ProcessBoundedSemaphore(1));
        ProcessEvent event = shared.track(new ProcessEvent());
        SharedLong counter = shared.track(new SharedLong(7));
        SharedDouble ratio = shared.track(new SharedDouble(0.5));
        SharedLongArray longs = shared.track(new SharedLongArray(3));
        SharedDoubleArray doubles = shared.track(new SharedDoubleArray(2));
        SharedMemory memory = shared.track(SharedMemory.create(16));
        Pipe<String> duplex = Pipe.open();
        shared.track(duplex.left());
        Pipe<String> oneWay = Pipe.open(false);
        shared.track(oneWay.left());
        List<Object> handles = List.of(queue, joinable, simple, lock, rlock, semaphore, bounded, event, counter, ratio,
                longs, doubles, memory, duplex.right(), oneWay.right(), oneWay.left());

        byte[] bytes = encode(handles.toArray());
        Object[] back = decode(bytes);

        assertThat(containsJdkStream(bytes)).as("a JDK serialization stream in the section").isFalse();
        for (int i = 0; i < handles.size(); i++) {
            assertThat(back[i]).isNotSameAs(handles.get(i)).hasSameClassAs(handles.get(i));
        }
        @SuppressWarnings("unchecked")
        ProcessQueue<String> queueBack = (ProcessQueue<String>) back[0];
        queueBack.put("through the copy");
        assertThat(queue.get()).isEqualTo("through the copy");
        assertThat(queueBack.maxSize()).isEqualTo(5);
        @SuppressWarnings("unchecked")
        ProcessJoinableQueue<String> joinableBack = (ProcessJoinableQueue<String>) back[1];
        joinable.put("task");
        assertThat(joinableBack.get()).isEqualTo("task");
        joinableBack.taskDone();
        assertThat(joinable.join(Duration.ofSeconds(5))).isTrue();
        @SuppressWarnings("unchecked")
        ProcessSimpleQueue<String> simpleBack = (ProcessSimpleQueue<String>) back[2];
        simple.put("simple");
        assertThat(simpleBack.get()).isEqualTo("simple");
        ((ProcessLock) back[3]).lock();
        assertThat(CompletableFuture.supplyAsync(lock::tryLock).get()).as("held through the copy").isFalse();
        ((ProcessLock) back[3]).unlock();
        ((ProcessRLock) back[4]).lock();
        ((ProcessRLock) back[4]).lock(); // still re-entrant
        assertThat(rlock.isHeldByCurrentThread()).isTrue();
        rlock.unlock();
        rlock.unlock();
        ((ProcessSemaphore) back[5]).acquire();
        assertThat(semaphore.availablePermits()).isEqualTo(1);
        assertThat(((ProcessBoundedSemaphore) back[6]).availablePermits()).isEqualTo(1);
        assertThatThrownBy(((ProcessBoundedSemaphore) back[6])::release).as("still bounded")
                .isInstanceOf(IllegalStateException.class);
        ((ProcessEvent) back[7]).set();
        assertThat(event.isSet()).isTrue();
        assertThat(((SharedLong) back[8]).incrementAndGet()).isEqualTo(8);
        assertThat(counter.get()).isEqualTo(8);
        assertThat(((SharedDouble) back[9]).get()).isEqualTo(0.5);
        ((SharedLongArray) back[10]).set(2, 42);
        assertThat(longs.get(2)).isEqualTo(42);
        assertThat(((SharedLongArray) back[10]).length()).isEqualTo(3);
        ((SharedDoubleArray) back[11]).set(1, 2.5);
        assertThat(doubles.get(1)).isEqualTo(2.5);
        ((SharedMemory) back[12]).buffer().put(3, (byte) 9);
        assertThat(memory.buffer().get(3)).isEqualTo((byte) 9);
        @SuppressWarnings("unchecked")
        Connection<String> duplexBack = (Connection<String>) back[13];
        duplexBack.send("right to left");
        assertThat(duplex.left().recv()).isEqualTo("right to left");
        duplex.left().send("left to right");
        assertThat(duplexBack.recv()).isEqualTo("left to right");
        @SuppressWarnings("unchecked")
        Connection<String> senderBack = (Connection<String>) back[14];
        senderBack.send("one way");
        assertThat(oneWay.left().recv()).isEqualTo("one way");
        assertThatThrownBy(senderBack::recv).as("still one-way").isInstanceOf(IllegalStateException.class);
        @SuppressWarnings("unchecked")
        Connection<String> receiverBack = (Connection<String>) back[15];
        oneWay.right().send("to the copy");
        assertThat(receiverBack.recv()).isEqualTo("to the copy");
        assertThatThrownBy(() -> receiverBack.send("back")).as("only receives").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aHandleSentIsNoLongerThisProcesssAloneSoCloseLeavesTheObjectToTheOthers() throws Exception {
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>());
        SharedLong counter = shared.track(new SharedLong());

        Object[] back = decode(encode(queue, counter));
        queue.close(); // not destroyed: it was sent
        counter.close();

        @SuppressWarnings("unchecked")
        ProcessQueue<String> queueBack = (ProcessQueue<String>) back[0];
        queueBack.put("still there");
        assertThat(queueBack.get()).isEqualTo("still there");
        assertThat(((SharedLong) back[1]).incrementAndGet()).isEqualTo(1);
        assertThat(queueBack.use.isShared()).as("a handle read back came from another process").isTrue();
    }

    @Test
    void theSameHandleTwiceInASectionIsOneObjectWhenReadBack() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());

        Object[] back = decode(encode(lock, "between", lock));

        assertThat(back[0]).isSameAs(back[2]).isInstanceOf(ProcessLock.class);
        assertThat(back[1]).isEqualTo("between");
    }

    @Test
    void aHandleAtASectionsTopAndInsideOneOfItsCompoundsIsOneObjectWhenReadBack() throws Exception {
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>());

        Object[] topFirst = decode(encode(queue, List.of(queue)));
        assertThat(((List<?>) topFirst[1]).get(0)).isSameAs(topFirst[0]);
        Object[] listFirst = decode(encode(new ArrayList<>(List.of(queue)), "between", queue));
        assertThat(((List<?>) listFirst[0]).get(0)).isSameAs(listFirst[2]);
        // with a value the section serializes: every one of them in its one stream
        Object[] withAnObject = decode(encode(queue, java.math.BigDecimal.ONE, Map.of("q", queue), queue));
        assertThat(((Map<?, ?>) withAnObject[2]).get("q")).isSameAs(withAnObject[0]).isSameAs(withAnObject[3]);
        assertThat(withAnObject[1]).isEqualTo(java.math.BigDecimal.ONE);
    }

    @Test
    void aChildsTargetThatCapturesAHandleAndACollectionHoldingItGetsOneObject() throws Exception {
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>());
        List<ProcessQueue<String>> list = new ArrayList<>(List.of(queue));
        Map<String, ProcessQueue<String>> map = Map.of("q", queue);
        ChildProcess child = new ChildProcess(() -> queue.put((queue == list.get(0)) + " " + (queue == map.get("q"))));
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            child.start();
            assertThat(queue.get()).isEqualTo("true true");
            child.join();
        });
        assertThat(child.exitCode()).hasValue(0);
    }

    @Test
    void handlesThatCarryMoreThanNamesStillGoByJdkSerialization() throws Exception {
        ProcessLock lock = shared.track(new ProcessLock());
        ProcessCondition condition = shared.track(new ProcessCondition(lock));
        ProcessQueue<String> subclassed = shared.track(new OwnQueue());

        byte[] bytes = encode(condition, subclassed);
        Object[] back = decode(bytes);

        assertThat(containsJdkStream(bytes)).isTrue();
        assertThat(back[0]).isInstanceOf(Condition.class);
        assertThat(back[1]).isInstanceOf(OwnQueue.class);
    }

    /** A program's own kind of queue: not the library's class, so JDK serialization carries it. */
    private static final class OwnQueue extends ProcessQueue<String> {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void aTargetThatCapturesOnlyHandlesStringsAndListsNeedsNoObjectStreamToBeReadBack() {
        ProcessQueue<String> queue = shared.track(new ProcessQueue<>());
        ProcessLock lock = shared.track(new ProcessLock());
        String word = "direct";
        List<String> words = List.of(word);
        java.math.BigDecimal price = new java.math.BigDecimal("1.50");
        SerializableRunnable direct = () -> {
            lock.lock();
            queue.put(word);
        };
        SerializableRunnable withAList = () -> queue.put(words.get(0));
        SerializableRunnable withABigDecimal = () -> queue.put(price.toPlainString());

        assertThat(Serialization.needsObjectStream(Serialization.serialize(direct, "target"))).isFalse();
        assertThat(Serialization.needsObjectStream(Serialization.serialize(withAList, "target"))).isFalse();
        assertThat(Serialization.needsObjectStream(Serialization.serialize(withABigDecimal, "target"))).isTrue();
    }

    @Test
    void aChildWhoseTargetCapturesHandlesUsesThem() {
        ProcessQueue<Long> queue = shared.track(new ProcessQueue<>());
        SharedLongArray slots = shared.track(new SharedLongArray(2));
        ProcessEvent done = shared.track(new ProcessEvent());
        ChildProcess child = new ChildProcess(() -> {
            slots.set(1, 11);
            queue.put(slots.get(1) + 1);
            done.set();
        });

        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            child.start();
            assertThat(queue.get()).isEqualTo(12L);
            child.join();
        });
        assertThat(child.exitCode()).hasValue(0);
        assertThat(done.isSet()).isTrue();
    }

    /** A program's record of the shared objects a worker needs. */
    private record Channels(ProcessQueue<Long> results, ProcessLock lock, SharedLong count) implements java.io.Serializable {
    }

    @Test
    void handlesInsideListsAndRecordsTravelWithoutAJdkStream() throws Exception {
        ProcessQueue<Long> queue = shared.track(new ProcessQueue<>());
        ProcessLock lock = shared.track(new ProcessLock());
        SharedLong count = shared.track(new SharedLong());
        Channels channels = new Channels(queue, lock, count);

        byte[] list = encode(List.of(queue, lock), "and a string");
        byte[] record = encode(channels);
        assertThat(containsJdkStream(list)).isFalse();
        assertThat(containsJdkStream(record)).isFalse();
        assertThat((List<?>) decode(list)[0]).hasSize(2).element(1).isInstanceOf(ProcessLock.class);
        Channels channelsBack = (Channels) decode(record)[0];
        channelsBack.count().set(7);
        assertThat(count.get()).as("the same shared value").isEqualTo(7);

        // one handle twice inside a value, or inside two values of a section: one object back, as a stream gives it
        byte[] twice = encode(List.of(lock, lock));
        assertThat(containsJdkStream(twice)).isTrue();
        List<?> twiceBack = (List<?>) decode(twice)[0];
        assertThat(twiceBack.get(0)).isSameAs(twiceBack.get(1));
        byte[] inTwoValues = encode(List.of(lock), channels);
        assertThat(containsJdkStream(inTwoValues)).isTrue();
        Object[] twoBack = decode(inTwoValues);
        assertThat(((List<?>) twoBack[0]).get(0)).isSameAs(((Channels) twoBack[1]).lock());

        SerializableRunnable target = () -> channels.results().put(channels.count().get());
        assertThat(Serialization.needsObjectStream(Serialization.serialize(target, "target"))).isFalse();
        ChildProcess child = new ChildProcess(target);
        ProcessQueue<Object> items = shared.track(new ProcessQueue<>());
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            child.start();
            assertThat(queue.get()).isEqualTo(7L);
            child.join();
            items.put(List.of(lock, count)); // a queue item that holds handles
            assertThat(((SharedLong) ((List<?>) items.get()).get(1)).get()).isEqualTo(7);
        });
        assertThat(child.exitCode()).hasValue(0);
    }

    @Test
    void aPipeEndInsideAListGoesToTheChildOnceEvenWhenTheListGoesToAStreamAfterwards() throws Exception {
        Pipe<String> pipe = Pipe.open();
        Connection<String> mine = shared.track(pipe.left());
        Connection<String> theirs = shared.track(pipe.right());
        ProcessEvent sawTheEnd = shared.track(new ProcessEvent());
        List<Connection<String>> ends = List.of(theirs);
        // An object without a direct encoding among the captured values sends the list, written
        // directly first, to the stream too: the end is serialized twice, and the child's close()
        // must still end the pipe while the child lives.
        java.math.BigDecimal one = java.math.BigDecimal.ONE;
        ChildProcess child = new ChildProcess(() -> {
            ends.get(0).send("hello " + one);
            ends.get(0).close();
            sawTheEnd.await();
        });
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            child.start();
            theirs.close();
            assertThat(mine.recv()).isEqualTo("hello 1");
            assertThatThrownBy(mine::recv).isInstanceOf(java.io.EOFException.class);
            assertThat(child.isAlive()).isTrue();
            sawTheEnd.set();
            child.join();
        });
        assertThat(child.exitCode()).hasValue(0);
    }

    private static byte[] encode(Object... values) {
        Wire.Writer out = new Wire.Writer(64);
        ValueSection.Encoder encoder = new ValueSection.Encoder(out, "value");
        for (Object value : values) {
            encoder.add(value);
        }
        encoder.finish();
        return out.toByteArray();
    }

    private static Object[] decode(byte[] bytes) {
        return ValueSection.read(new Wire.Reader(bytes), HandleWireTest.class.getClassLoader());
    }

    /** @return whether the bytes hold a JDK serialization stream's magic number, 0xACED */
    private static boolean containsJdkStream(byte[] bytes) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == (byte) 0xAC && bytes[i + 1] == (byte) 0xED) {
                return true;
            }
        }
        return false;
    }
}
