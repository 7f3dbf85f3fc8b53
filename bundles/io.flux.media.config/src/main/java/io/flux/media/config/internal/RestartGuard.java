package io.flux.media.config.internal;

import java.time.Duration;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Holds restart-only changes back from running components.
 * <p>
 * Per configuration PID it remembers the <em>effective</em> values: those the running component got
 * first in this process, updated by hot fields since. A later delivery that changes a restart-only
 * field gets the effective value put back (or the key removed when the component never had one) and
 * the new value is remembered as <em>pending</em> until the process restarts. Values are compared with
 * {@link Values#same}; {@code null} stands for "absent". Thread-safe.
 */
final class RestartGuard {

    /** What the running component uses and what waits for a restart. */
    record Status(Map<String, Object> effective, Map<String, Pending> pending) {
    }

    /** A held-back change: {@code pending == null} means the key was removed from the configuration. */
    record Pending(Object effective, Object pending) {
    }

    private static final class State {
        final Map<String, Object> effective;
        final Map<String, Object> pending = new HashMap<>();

        State(Map<String, Object> effective) {
            this.effective = new HashMap<>(effective);
        }
    }

    private final Map<String, State> states = new HashMap<>();

    /**
     * Records what a running component already has, unless something is known for the PID already.
     *
     * @return whether the seed was taken
     */
    synchronized boolean seed(String pid, Map<String, ?> fields) {
        if (states.containsKey(pid)) {
            return false;
        }
        states.put(pid, new State(withoutAutoKeys(fields)));
        notifyAll();
        return true;
    }

    /**
     * Processes one delivery of {@code properties} for {@code pid}, rewriting restart-only changes in
     * place.
     *
     * @param hotFields the PID's hot fields, or {@code null} when no component declares any (then
     *        everything passes and is recorded as effective)
     * @return the keys whose held-back value is new with this delivery (for logging)
     */
    synchronized Set<String> process(String pid, Dictionary<String, Object> properties, Set<String> hotFields) {
        Map<String, Object> delivered = Values.fields(properties);
        State state = states.get(pid);
        if (state == null || hotFields == null) {
            states.put(pid, new State(delivered));
            notifyAll();
            return Set.of();
        }
        Set<String> keys = new LinkedHashSet<>(delivered.keySet());
        keys.addAll(state.effective.keySet());
        keys.addAll(state.pending.keySet());
        Set<String> newlyHeld = new TreeSet<>();
        for (String key : keys) {
            Object now = delivered.get(key);
            if (hotFields.contains(key)) {
                if (now == null) {
                    state.effective.remove(key);
                } else {
                    state.effective.put(key, now);
                }
                state.pending.remove(key);
                continue;
            }
            Object before = state.effective.get(key);
            if (Values.same(now, before)) {
                state.pending.remove(key);
                continue;
            }
            if (before == null) {
                properties.remove(key);
            } else {
                properties.put(key, before);
            }
            boolean known = state.pending.containsKey(key) && Values.same(state.pending.get(key), now);
            state.pending.put(key, now);
            if (!known) {
                newlyHeld.add(key);
            }
        }
        notifyAll();
        return newlyHeld;
    }

    /** The configuration is gone and so is the component instance (factory instance, required config). */
    synchronized void forget(String pid) {
        states.remove(pid);
        notifyAll();
    }

    /** The configuration is gone and the component runs on its defaults now. */
    synchronized void resetToDefaults(String pid) {
        states.put(pid, new State(Map.of()));
        notifyAll();
    }

    synchronized Optional<Status> status(String pid) {
        State state = states.get(pid);
        if (state == null) {
            return Optional.empty();
        }
        Map<String, Pending> pending = new TreeMap<>();
        state.pending.forEach((key, value) -> pending.put(key, new Pending(state.effective.get(key), value)));
        return Optional.of(new Status(Collections.unmodifiableMap(new HashMap<>(state.effective)),
                Collections.unmodifiableMap(pending)));
    }

    /**
     * Waits until the effective values of {@code pid} match {@code expected} ({@code null} values mean
     * absent) or the timeout passes.
     *
     * @return whether they match
     */
    synchronized boolean awaitEffective(String pid, Map<String, Object> expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!matches(pid, expected)) {
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                return false;
            }
            wait(remainingMillis);
        }
        return true;
    }

    private boolean matches(String pid, Map<String, Object> expected) {
        State state = states.get(pid);
        return state != null && expected.entrySet().stream()
                .allMatch(e -> Values.same(state.effective.get(e.getKey()), e.getValue()));
    }

    private static Map<String, Object> withoutAutoKeys(Map<String, ?> fields) {
        Map<String, Object> copy = new HashMap<>();
        fields.forEach((key, value) -> {
            if (value != null && !Values.isAutoKey(key)) {
                copy.put(key, value);
            }
        });
        return copy;
    }
}
