package io.github.multiprocessing4j.internal.statics;

import io.github.multiprocessing4j.internal.process.ProcessContext;
import io.github.multiprocessing4j.internal.registry.ProcessRegistry;
import io.github.multiprocessing4j.internal.serial.Serialization;
import io.github.multiprocessing4j.internal.util.Log;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The shared objects made by static initialisers, which are the tree's: every process of the tree
 * that initialises a class gets the objects its static initialiser made in the first process that
 * initialised it, instead of new ones. Each public shared class makes its state through
 * {@link #resolve}; outside a static initialiser that only calls the maker.
 *
 * <p>An object made by a static initialiser is identified by the class whose {@code <clinit>} is
 * the nearest on the calling thread's stack (so helper methods called by the initialiser count as
 * the initialiser, and a class initialised while another one is initialising has its own
 * objects), the ordinal of the object among those that initialiser made in this process (0, 1,
 * ...), and its kind (the public class, checked: another kind under the same identity means the
 * initialiser does not make the same objects in the same order in every process).
 *
 * <p>Implementation notes. The first process to make object {@code n} of class {@code C} makes
 * it, serializes its state (the bytes that carry it to a child in a target) and publishes them in
 * the tree's table under {@code static-C-n} ({@link ProcessRegistry#publishOnce}); the others
 * read them and deserialize. Two processes initialising {@code C} at the same moment both make
 * one; the table takes the first publication, and the loser discards its own (nobody else has
 * it) and uses the winner's. Only the outermost object counts: what a shared object's maker makes
 * is part of it. Outside a static initialiser the cost is one walk of the stack per object
 * ({@link #madeByStaticInitialiser} walks again only in a process whose static initialisers made
 * shared objects): a few microseconds once compiled, against the tens it takes to create a
 * shared object's file and map it.
 */
public final class StaticShared {
    private static final String STATIC_INITIALISER = "<clinit>";
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    /**
     * The class of the nearest static initialiser among the frames, or null. A loop, not a
     * pipeline of lambdas: every shared object's constructor walks the stack (once, but in a
     * process whose static initialisers made shared objects: see {@link #madeByStaticInitialiser}).
     * Measured on the 2-core development VM (JDK 17), a new JVM's first
     * {@link #initialisingClass} (this class's initialisation included) took 13 ms with the
     * pipeline, the lambdas' bootstrapping, against 5.5, and its first 600 calls 33-47 µs each
     * against 26-29; a program's pipes and locks made in a loop did not move measurably.
     */
    private static final Function<Stream<StackWalker.StackFrame>, Class<?>> NEAREST_STATIC_INITIALISER =
            new Function<>() {
                @Override
                public Class<?> apply(Stream<StackWalker.StackFrame> frames) {
                    for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
                        StackWalker.StackFrame frame = it.next();
                        if (STATIC_INITIALISER.equals(frame.getMethodName())) {
                            return frame.getDeclaringClass();
                        }
                    }
                    return null;
                }
            };
    /** The longest class name used as it is in a publication's name; longer ones are hashed. */
    private static final int PLAIN_CLASS_NAME_MAX = 160;
    /** How many shared objects each class's static initialiser has made in this process. */
    private static final ClassValue<AtomicInteger> MADE = new ClassValue<>() {
        @Override
        protected AtomicInteger computeValue(Class<?> type) {
            return new AtomicInteger();
        }
    };
    /** Set while this thread makes a shared object's state: what is made meanwhile is part of it. */
    private static final ThreadLocal<Boolean> MAKING = new ThreadLocal<>();
    /**
     * Set once a static initialiser of this process has made a shared object (by {@link #resolve},
     * before the object's maker runs): until then no object being made can be the tree's, and
     * {@link #madeByStaticInitialiser} need not walk the stack again.
     */
    private static volatile boolean initialisersMadeObjects;

    private StaticShared() {
    }

    /**
     * Makes a shared object's state, or, when a static initialiser makes it, finds the state the
     * tree has for it: see the class comment.
     *
     * @param kind the public class of the object being made ("ProcessLock")
     * @param make makes the state in shared memory (with its initial value)
     * @param discard destroys a state that {@code make} made and nobody else has (a race lost)
     * @param <T> the state: a backend, segment or anything serializable that holds it
     * @return the state to use
     * @throws IllegalStateException inside a static initialiser, when the tree's object of that
     *     identity is of another kind (the initialiser is not deterministic), or can no longer be
     *     used (it was closed)
     * @throws UncheckedIOException when the tree's table cannot be read or written
     */
    public static <T extends Serializable> T resolve(String kind, Supplier<T> make, Consumer<? super T> discard) {
        ProcessContext.ensureInitialised();
        Class<?> owner = initialisingClass();
        if (owner == null) {
            return make.get();
        }
        initialisersMadeObjects = true;
        if (MAKING.get() != null) {
            return make.get();
        }
        int ordinal = MADE.get(owner).getAndIncrement();
        ProcessRegistry table = ProcessContext.current().registry();
        String name = publicationName(owner, ordinal);
        Optional<byte[]> published = table.findPublished(name);
        if (published.isPresent()) {
            return read(published.get(), kind, owner, ordinal);
        }
        T mine = makeWhole(make);
        try {
            if (table.publishOnce(name, encode(kind, mine))) {
                return mine;
            }
        } catch (RuntimeException e) {
            discard.accept(mine);
            throw e;
        }
        discard.accept(mine);
        Log.of(StaticShared.class).log(System.Logger.Level.DEBUG, "another process made the tree''s {0} first: this one"
                + " discarded its own", describe(owner, ordinal));
        byte[] theirs = table.findPublished(name).orElseThrow(() -> new IllegalStateException(describe(owner, ordinal)
                + " is gone from the tree's table just after another process made it: the tree was released"));
        return read(theirs, kind, owner, ordinal);
    }

    /**
     * @return the class whose static initialiser made the calling code run, when this process is a
     *     child of the tree; null in a root, or outside a static initialiser
     */
    public static Class<?> initialiserInChild() {
        return ProcessContext.current().parent().isPresent() ? initialisingClass() : null;
    }

    /**
     * @return whether the handle being made on this thread is of a shared object that a static
     *     initialiser made, the tree's; asked by a public constructor after its {@link #resolve}
     *     (or by a maker within it). The stack is walked again only once a static initialiser of
     *     this process has made a shared object: until then the walk of {@code resolve} answered
     *     (measured on the 2-core development VM: a pipe walked three times, each walk a quarter
     *     of a pipe made, used once and closed, once compiled).
     */
    public static boolean madeByStaticInitialiser() {
        return initialisersMadeObjects && initialisingClass() != null;
    }

    /** @return the class whose static initialiser is the nearest on this thread's stack, or null */
    static Class<?> initialisingClass() {
        return WALKER.walk(NEAREST_STATIC_INITIALISER);
    }

    private static <T> T makeWhole(Supplier<T> make) {
        MAKING.set(Boolean.TRUE);
        try {
            return make.get();
        } finally {
            MAKING.remove();
        }
    }

    /** @return the publication's name: {@code static-CLASS-N}, the class name hashed when it is not plain */
    static String publicationName(Class<?> owner, int ordinal) {
        String className = owner.getName();
        if (!isPlain(className)) { // '-' is not plain: no clash with a hash
            className = "sha256-" + sha256(className);
        }
        return "static-" + className + "-" + ordinal;
    }

    /**
     * @return whether {@code className} is used as it is in a publication's name: letters, digits,
     *     '_', '.' and '$', at most {@value #PLAIN_CLASS_NAME_MAX}. Not a regular expression: every
     *     shared object's constructor initialises this class, and a JVM's first regular expression
     *     costs it milliseconds (measured on the 2-core development VM: this class's initialisation
     *     in a new JVM 10.4-11.5 ms instead of 11.9-15.1; a first pattern alone, 6-7 ms).
     */
    private static boolean isPlain(String className) {
        if (className.isEmpty() || className.length() > PLAIN_CLASS_NAME_MAX) {
            return false;
        }
        for (int i = 0; i < className.length(); i++) {
            char c = className.charAt(i);
            boolean plain = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
                    || c == '_' || c == '.' || c == '$';
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    private static byte[] encode(String kind, Serializable state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(kind);
            out.write(Serialization.serialize(state, "shared object"));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not thrown by an in-memory stream
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static <T> T read(byte[] publication, String kind, Class<?> owner, int ordinal) {
        String what = describe(owner, ordinal);
        String theirKind;
        int stateAt;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(publication))) {
            theirKind = in.readUTF();
            stateAt = publication.length - in.available();
        } catch (IOException e) {
            throw new IllegalStateException(what + " is damaged in the process table: " + e, e);
        }
        if (!theirKind.equals(kind)) {
            throw new IllegalStateException(what + " is a " + kind + " in this process, but a " + theirKind
                    + " in the process of the tree that made it first: a static initialiser must make the same"
                    + " shared objects in the same order in every process (they are told apart by that order)");
        }
        ClassLoader loader = owner.getClassLoader() != null ? owner.getClassLoader() : StaticShared.class.getClassLoader();
        try {
            return (T) Serialization.deserialize(publication, stateAt, publication.length - stateAt, loader);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new IllegalStateException(what + " (a " + kind + ", made by the process of the tree that"
                    + " initialised the class first) cannot be used here: " + e.getMessage(), e);
        }
    }

    private static String describe(Class<?> owner, int ordinal) {
        return "shared object #" + (ordinal + 1) + " made by the static initialiser of " + owner.getName();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
