package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.serial.Wire;
import io.github.multiprocessing4j.spi.PoolChannel;

import java.io.Serializable;

/** A {@link MessageChannel} over a backend's channel: for a pool whose workers are on other machines. */
final class BackendChannel implements MessageChannel, Serializable {
    private static final long serialVersionUID = 1L;

    private final PoolChannel channel;

    BackendChannel(PoolChannel channel) {
        this.channel = channel;
    }

    @Override
    public void put(byte[] message) {
        channel.put(message);
    }

    @Override
    public Wire.Reader take() {
        return wrap(channel.take(-1));
    }

    @Override
    public Wire.Reader poll() {
        return wrap(channel.take(0));
    }

    private static Wire.Reader wrap(byte[] message) {
        return message == null ? null : new Wire.Reader(message, 0, message.length);
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public int discard() {
        return channel.discard();
    }

    @Override
    public void checkMessageFits(String what, long bytes) {
        channel.checkMessageFits(what, bytes);
    }

    @Override
    public void answered(int chunks) {
        channel.answered(chunks);
    }
}
