package io.tributary.demo.bench;

import io.tributary.demo.measure.LatencySummary;
import io.tributary.localstack.kafka.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --kill-broker-at}: during the half-rate phase, kills -9 the Kafka broker leading most telemetry partitions
 * and starts it again {@link #DOWN} later. The probe publishes as a device whose partition that broker leads (the
 * devices that wait for the leader change), and its latencies of the readings in flight in the {@link #WINDOW} after
 * the kill are reported apart.
 */
final class BrokerFailover {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerFailover.class);
    static final Duration WINDOW = Duration.ofSeconds(30);
    static final Duration DOWN = Duration.ofSeconds(20);

    private final KafkaCluster cluster;
    private final String topic;
    private final Duration killAt;
    private volatile int victim = -1;
    private volatile String outcome = "not run";

    BrokerFailover(KafkaCluster cluster, String topic, Duration killAt) {
        this.cluster = cluster;
        this.topic = topic;
        this.killAt = killAt;
    }

    /** Chooses the broker to kill and a probe device id ({@code base-N}) whose telemetry partition it leads. */
    String probeDevice(String base) {
        victim = cluster.leaderOfMostPartitions(topic);
        Map<Integer, Integer> leaders = cluster.leaders(topic);
        for (int i = 0; ; i++) {
            String id = base + "-" + i;
            if (leaders.get(ProbeConsumers.partitionForKey(id.getBytes(StandardCharsets.UTF_8), leaders.size()))
                    == victim) {
                return id;
            }
        }
    }

    /** Kills the broker {@code killAt} after {@code startNanos} and restarts it; the probe's hops watch the window. */
    Thread start(long startNanos, Probe probe) {
        Thread thread = new Thread(() -> {
            long kill = startNanos + killAt.toNanos();
            LockSupport.parkNanos(kill - System.nanoTime());
            for (LatencyHop hop : List.of(probe.puback, probe.kafka, probe.alert, probe.queryable)) {
                hop.window(kill, kill + WINDOW.toNanos());
            }
            try {
                cluster.kill(victim);
                LockSupport.parkNanos(kill + DOWN.toNanos() - System.nanoTime());
                cluster.restart(victim);
                outcome = "killed and restarted";
            } catch (RuntimeException e) {
                outcome = "failed: " + e.getMessage();
                LOG.error("Broker failover failed [broker: {}]", victim, e);
            }
        }, "tributary-bench-broker-failover");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** For bench.json: which broker, when, and the probe's latencies of the window after the kill. */
    Map<String, Object> report(Probe probe) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker_killed", victim);
        m.put("killed_after_s", killAt.toSeconds());
        m.put("restarted_after_s", DOWN.toSeconds());
        m.put("outcome", outcome);
        m.put("window_s", WINDOW.toSeconds());
        m.put("publish_to_puback", probe == null ? null
                : LatencySummary.summary(probe.puback.windowHistogram(), 1));
        m.put("publish_to_queryable", probe == null ? null
                : LatencySummary.summary(probe.queryable.windowHistogram(), 1));
        return m;
    }
}
