package io.tributary.gateway.mqtt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps one connection's acknowledgements in the order its PUBLISHes arrived, as MQTT requires for QoS 1 (3.1.1
 * section 4.6, 5.0 section 4.6), although their Kafka outcomes arrive in any order. Not thread-safe: one connection's
 * queue lives on that connection's event loop.
 *
 * @param <O> the outcome type
 */
final class AckQueue<O> {

    static final class Slot<O> {
        private final int packetId;
        private O outcome;

        private Slot(int packetId) {
            this.packetId = packetId;
        }

        int packetId() {
            return packetId;
        }

        O outcome() {
            return outcome;
        }
    }

    private final ArrayDeque<Slot<O>> slots = new ArrayDeque<>();

    Slot<O> add(int packetId) {
        Slot<O> slot = new Slot<>(packetId);
        slots.addLast(slot);
        return slot;
    }

    /**
     * Sets {@code slot}'s outcome (the first one wins; a slot gone after {@link #clear()} is ignored) and removes and
     * returns the leading run of slots that have outcomes, in arrival order.
     */
    List<Slot<O>> complete(Slot<O> slot, O outcome) {
        Objects.requireNonNull(outcome, "outcome");
        if (slot.outcome == null) {
            slot.outcome = outcome;
        }
        List<Slot<O>> ready = new ArrayList<>(1);
        while (!slots.isEmpty() && slots.peekFirst().outcome != null) {
            ready.add(slots.pollFirst());
        }
        return ready;
    }

    int size() {
        return slots.size();
    }

    /** Forgets every slot (the connection is gone; nothing can be answered any more). */
    void clear() {
        slots.clear();
    }
}
