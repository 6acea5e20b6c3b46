package io.tributary.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AckQueueTest {

    private final AckQueue<String> queue = new AckQueue<>();

    @Test
    void releasesAnswersInArrivalOrderWhenOutcomesArriveOutOfOrder() {
        AckQueue.Slot<String> first = queue.add(1);
        AckQueue.Slot<String> second = queue.add(2);
        AckQueue.Slot<String> third = queue.add(3);

        assertThat(queue.complete(third, "c")).isEmpty();
        assertThat(queue.complete(second, "b")).isEmpty();
        assertThat(ids(queue.complete(first, "a"))).containsExactly(1, 2, 3);
        assertThat(queue.size()).isZero();
    }

    @Test
    void releasesTheHeadAtOnce() {
        AckQueue.Slot<String> first = queue.add(1);
        queue.add(2);

        List<AckQueue.Slot<String>> ready = queue.complete(first, "a");

        assertThat(ids(ready)).containsExactly(1);
        assertThat(ready.get(0).outcome()).isEqualTo("a");
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void keepsTheFirstOutcomeOfASlot() {
        AckQueue.Slot<String> first = queue.add(1);
        AckQueue.Slot<String> second = queue.add(2);
        queue.complete(second, "b");
        queue.complete(second, "other");

        List<AckQueue.Slot<String>> ready = queue.complete(first, "a");

        assertThat(ready.get(1).outcome()).isEqualTo("b");
    }

    @Test
    void ignoresOutcomesAfterClear() {
        AckQueue.Slot<String> first = queue.add(1);
        queue.clear();

        assertThat(queue.complete(first, "a")).isEmpty();
        assertThat(queue.size()).isZero();
    }

    private static List<Integer> ids(List<AckQueue.Slot<String>> slots) {
        return slots.stream().map(AckQueue.Slot::packetId).collect(Collectors.toList());
    }
}
