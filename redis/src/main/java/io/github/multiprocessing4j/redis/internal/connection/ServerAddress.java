package io.github.multiprocessing4j.redis.internal.connection;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Where a cluster's server is, parsed from a {@code redis://} or {@code rediss://} URL: host,
 * port, database, TLS, ACL user. It holds no password: {@link #parse} hands that back separately
 * so that an address can be printed, logged and sent to other processes as it is.
 *
 * <p>URL form: {@code redis[s]://[[user]:password@]host[:port][/db]}; the port defaults to 6379
 * and the database to 0. A password without a user ({@code redis://:secret@host}) authenticates
 * as the {@code default} user, as {@code requirepass} servers expect.
 */
public record ServerAddress(String host, int port, int database, boolean tls, String user) implements Serializable {

    /** A parsed URL: the address, and the password it carried (null when none). */
    public record Parsed(ServerAddress address, char[] password) {
    }

    public ServerAddress {
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (database < 0) {
            throw new IllegalArgumentException("negative database number: " + database);
        }
    }

    /**
     * @throws IllegalArgumentException when the URL is not a {@code redis://} or {@code rediss://}
     *     URL; the message shows the URL with its password masked
     */
    public static Parsed parse(String url) {
        Objects.requireNonNull(url, "url");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a redis:// URL: " + mask(url), null);
        }
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new IllegalArgumentException("not a redis:// or rediss:// URL: " + mask(url));
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host in " + mask(url));
        }
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        int database = 0;
        String path = uri.getRawPath();
        if (path != null && path.length() > 1) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the path of " + mask(url) + " is not a database number");
            }
        }
        String user = null;
        char[] password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String rawUser = colon < 0 ? userInfo : userInfo.substring(0, colon);
            user = rawUser.isEmpty() ? null : decode(rawUser);
            if (colon >= 0) {
                password = decode(userInfo.substring(colon + 1)).toCharArray();
            }
        }
        return new Parsed(new ServerAddress(host, port, database, "rediss".equals(scheme), user), password);
    }

    /**
     * @return whether {@code other} names the same server, database, TLS and user, its host
     *     perhaps written another way ({@code localhost} and {@code 127.0.0.1}, a name and its
     *     address): the hosts are equal ignoring case, or resolve to a common address. May look
     *     the names up (the resolver's own caching applies); an unknown name is not the same.
     */
    public boolean sameServer(ServerAddress other) {
        if (port != other.port || database != other.database || tls != other.tls || !Objects.equals(user, other.user)) {
            return false;
        }
        if (host.equalsIgnoreCase(other.host)) {
            return true;
        }
        try {
            Set<InetAddress> mine = new HashSet<>(Arrays.asList(InetAddress.getAllByName(host)));
            for (InetAddress theirs : InetAddress.getAllByName(other.host)) {
                if (mine.contains(theirs)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The URL with everything before its last {@code @} (user and password, however malformed,
     * with {@code / : @} unencoded in them) masked: what messages and logs show when parsing
     * failed.
     */
    public static String mask(String url) {
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int scheme = url.indexOf("://");
        int start = scheme < 0 || scheme > at ? 0 : scheme + 3;
        return url.substring(0, start) + "***" + url.substring(at);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** @return the URL without credentials, e.g. {@code redis://app@127.0.0.1:6379/0} */
    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + (user != null ? user + "@" : "") + host + ":" + port + "/" + database;
    }
}
