package io.github.multiprocessing4j.bench;

import io.github.multiprocessing4j.SerializableFunction;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The "scale" section's pool map over structured values ({@code user_patterns.py}'s
 * {@code _price}): each task takes a small record {@code (id, name, price)} and returns another,
 * {@code (id, price * 2)}, where a Python program maps tuples to tuples. In a class of its own,
 * as {@link SquareTasks}: a worker deserializing a task loads the class that wrote the lambda.
 */
final class OrderTasks {
    /** What a task returns. */
    record Priced(int id, double total) implements java.io.Serializable {
    }

    /** The task. */
    static final SerializableFunction<QueueTargets.Order, Priced> PRICE = order -> new Priced(order.id(), order.price() * 2);

    private OrderTasks() {
    }

    /** @return the orders 0 .. n - 1, named "item0" to "item9" in turn, at 1.5 each */
    static List<QueueTargets.Order> inputs(int n) {
        return IntStream.range(0, n).mapToObj(i -> new QueueTargets.Order(i, "item" + i % 10, 1.5)).toList();
    }

    /** Fails unless {@code results} are the {@link #PRICE} of {@link #inputs}{@code (n)}. */
    static void requirePriced(List<Priced> results, int n) {
        if (results.size() != n) {
            throw new IllegalStateException(results.size() + " results for " + n + " orders");
        }
        for (int i = 0; i < n; i++) {
            Priced p = results.get(i);
            if (p.id() != i || p.total() != 3.0) {
                throw new IllegalStateException("result " + i + " is " + p);
            }
        }
    }
}
