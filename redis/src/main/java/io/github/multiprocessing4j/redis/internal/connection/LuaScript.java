package io.github.multiprocessing4j.redis.internal.connection;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), so that a call sends the digest rather than
 * the source; sent whole ({@code EVAL}, which also caches it there) only when the server does not
 * know it yet (first use, or after a restart emptied its script cache). A {@code NOSCRIPT} answer
 * means nothing ran, so sending it again is safe even for scripts that are not idempotent.
 * Every multi-step operation of the module is one of these: keys and arguments as strings (locks,
 * events, values) or as bytes (queues, whose items are serialized objects).
 */
public final class LuaScript {
    private final String source;
    private final byte[] sourceBytes;
    private final String sha;
    private final byte[] shaBytes;

    public LuaScript(String source) {
        this.source = source;
        this.sourceBytes = source.getBytes(StandardCharsets.UTF_8);
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(sourceBytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
        this.shaBytes = sha.getBytes(StandardCharsets.US_ASCII);
    }

    /** Runs the script on {@code jedis}; Redis errors come out as Jedis's exceptions. */
    public Object run(Jedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(source, keys, args);
        }
    }

    /** {@link #run(Jedis, List, List)} with keys and arguments as bytes; strings come back as bytes too. */
    public Object runBytes(Jedis jedis, List<byte[]> keys, List<byte[]> args) {
        try {
            return jedis.evalsha(shaBytes, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(sourceBytes, keys, args);
        }
    }
}
