package io.github.multiprocessing4j.cli.support;

import io.github.multiprocessing4j.redis.Cluster;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.util.regex.Pattern;

/**
 * The cluster's server URL of the commands that take {@code --redis URL}: from the option, else
 * from the environment variable {@value #VARIABLE} (which keeps the password off command lines,
 * where {@code ps} shows it to every user of the machine). The URL itself is never printed: what
 * the commands show is {@link Cluster#server()}, which has no password, and {@link #mask} is
 * applied to every error line.
 */
public final class RedisUrl {
    /** The environment variable the library's processes read the URL from, too. */
    public static final String VARIABLE = "MP4J_REDIS_URL";
    /** What {@code --redis} given without a value stands for: the URL from {@value #VARIABLE}. */
    public static final String FROM_ENVIRONMENT = "";
    /**
     * A URL's user info: everything between "://" and the last "@" of the word, as the library
     * masks it (a password may hold unencoded "/", ":" or "@").
     */
    private static final Pattern USER_INFO = Pattern.compile("://\\S*@");

    private RedisUrl() {
    }

    /**
     * @param option the option's value: a URL, {@link #FROM_ENVIRONMENT}, or null (not given)
     * @return the URL: the option's, else the environment's
     * @throws IllegalArgumentException when neither gives one, or the URL is not a
     *     {@code redis://} or {@code rediss://} URL (the message masks the password)
     */
    public static String resolve(String option) {
        String url = option == null || option.equals(FROM_ENVIRONMENT) ? System.getenv(VARIABLE) : option;
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no server: give --redis URL (redis://host:port/db, rediss:// for TLS) or set "
                    + VARIABLE);
        }
        Cluster.builder(url); // parses it: a bad URL fails here, masked
        return url;
    }

    /**
     * @param command the command, for the usage error
     * @param option {@code --redis}'s value, as for {@link #resolve}
     * @param prefix {@code --prefix}'s value, or null for the default
     * @return a builder of the cluster the command's options name, not connected yet
     * @throws ParameterException (exit code 2, one line) when the URL or the prefix is wrong or missing
     */
    public static Cluster.Builder clusterBuilder(CommandLine command, String option, String prefix) {
        try {
            Cluster.Builder builder = Cluster.builder(resolve(option));
            if (prefix != null) {
                builder.prefix(prefix);
            }
            return builder;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command, e.getMessage());
        }
    }

    /** @return {@code text} with the user and password of any URL in it replaced by {@code ***} */
    public static String mask(String text) {
        return USER_INFO.matcher(text).replaceAll("://***@");
    }
}
