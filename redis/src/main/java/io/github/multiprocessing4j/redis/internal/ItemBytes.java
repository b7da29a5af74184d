package io.github.multiprocessing4j.redis.internal;

import io.github.multiprocessing4j.internal.serial.ItemCodec;

import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A queue item as one Redis value: the core's item encoding (the tag byte, then the body), so
 * that small values (numbers, strings, byte arrays) skip JDK serialization as they do in shared
 * memory; and back, through the connection's allow-list.
 */
final class ItemBytes {
    private ItemBytes() {
    }

    /** @throws IllegalArgumentException when the item is not serializable (naming its class) */
    static byte[] encode(Object item) {
        ItemCodec.Encoded encoded = ItemCodec.encode(item, "item");
        byte[] value = new byte[encoded.body.length + 1];
        value[0] = encoded.tag;
        System.arraycopy(encoded.body, 0, value, 1, encoded.body.length);
        return value;
    }

    /**
     * @param where what the item came from, for the error ("queue 'jobs' on redis://...")
     * @throws ClusterFailure when the allow-list refuses a class of the item: the message names the
     *     class and how to allow it
     */
    static Object decode(byte[] value, ObjectInputFilter filter, String where) {
        if (value.length == 0) {
            throw new ClusterFailure(where + ": an empty item (not written by this library)", null, false);
        }
        ItemCodec.Encoded encoded = new ItemCodec.Encoded(value[0], Arrays.copyOfRange(value, 1, value.length));
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        // The JDK's refusal ("filter status: REJECTED") does not name the class: remember it here.
        String[] refusedClass = new String[1];
        ObjectInputFilter naming = info -> {
            ObjectInputFilter.Status status = filter.checkInput(info);
            if (status == ObjectInputFilter.Status.REJECTED && refusedClass[0] == null) {
                Class<?> type = info.serialClass();
                refusedClass[0] = type == null ? "(a stream over the limits)" : type.getName();
            }
            return status;
        };
        try {
            return ItemCodec.decode(encoded, loader != null ? loader : ItemBytes.class.getClassLoader(), naming);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof InvalidClassException refused) {
                String name = refused.classname != null ? refused.classname : refusedClass[0];
                if (name != null) {
                    throw new ClusterFailure(where + ": an item was refused and dropped: "
                            + ItemFilter.howToAllow(name), e, false);
                }
            }
            throw new ClusterFailure(where + ": an item could not be read: " + e.getMessage(), e, false);
        }
    }
}
