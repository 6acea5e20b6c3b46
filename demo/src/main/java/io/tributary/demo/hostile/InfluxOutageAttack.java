package io.tributary.demo.hostile;

import io.tributary.demo.measure.PrometheusText;
import java.time.Duration;

/** An InfluxDB that refuses every write: an outage the processor must ride out without dead-lettering. */
public record InfluxOutageAttack(HostileCluster cluster) {

    /**
     * The InfluxDB front answers 400 to every write for {@code duration}: the processor must retry, turn not-ready
     * and dead-letter nothing; afterwards it stores everything.
     */
    public AttackResult influxRefusesEverything(Duration duration) throws InterruptedException {
        AttackResult result = new AttackResult("InfluxDB front answers 400 to every write");
        long deadLettersBefore = processorDeadLettered();
        InfluxFront front = cluster.influxFront();
        long refusedBefore = front.refusedWrites();
        front.refuseWrites(true);
        long deadline = System.nanoTime() + duration.toNanos();
        long notReadyPolls = 0;
        long polls = 0;
        Long firstNotReadyMs = null;
        long started = System.nanoTime();
        try {
            while (System.nanoTime() < deadline) {
                polls++;
                if (!cluster.processorReady()) {
                    notReadyPolls++;
                    if (firstNotReadyMs == null) {
                        firstNotReadyMs = (System.nanoTime() - started) / 1_000_000;
                    }
                }
                Thread.sleep(250);
            }
        } finally {
            front.refuseWrites(false);
        }
        long readyAgainMs = -1;
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long restored = System.nanoTime();
        while (System.nanoTime() < until) {
            if (cluster.processorReady()) {
                readyAgainMs = (System.nanoTime() - restored) / 1_000_000;
                break;
            }
            Thread.sleep(250);
        }
        result.fact("refused_writes", front.refusedWrites() - refusedBefore)
                .fact("not_ready_polls", notReadyPolls).fact("polls", polls)
                .fact("first_not_ready_ms", firstNotReadyMs == null ? -1 : firstNotReadyMs)
                .fact("ready_again_ms", readyAgainMs)
                .fact("processor_deadlettered_during", processorDeadLettered() - deadLettersBefore);
        result.answer(notReadyPolls > 0 ? "processor turned not ready" : "processor stayed ready");
        return result.end();
    }

    /** The processor's {@code deadlettered_total}, all writers. */
    long processorDeadLettered() {
        return (long) PrometheusText.parse(cluster.processorMetrics()).sum("tributary_processor_deadlettered_total");
    }
}
