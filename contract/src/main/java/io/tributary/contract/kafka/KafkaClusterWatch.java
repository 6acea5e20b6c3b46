package io.tributary.contract.kafka;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka as one service's clients can see it, for {@code /health/ready} and {@code /metrics}. Every interval, on a
 * daemon thread of its own, an Admin client asks for the live brokers and, for each watched topic, every partition's
 * leader, replicas and in-sync replicas (ISR) and the topic's {@code min.insync.replicas}. Clients cannot read the
 * brokers' own replication meters; this is what the controller tells them, so a killed broker shows as down once the
 * controller fenced it (its session timeout), not at the instant it died, and an ISR that shrinks and grows back
 * between two polls is not counted.
 *
 * <p>A {@link #problem()} (the service cannot do its work: not ready) is an unreachable cluster, a missing topic, a
 * partition without a leader, or one whose ISR is below {@code min.insync.replicas} ({@code acks=all} writes refused).
 * A {@link #warning()} (still ready) is a broker down or a partition under-replicated. Both name the topic and the
 * broker (id and the address it had when last seen). Changes are logged once.
 */
public final class KafkaClusterWatch implements MeterBinder, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterWatch.class);
    private static final String M = "tributary.kafka.";
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    /** One watched topic at the last poll. */
    public record TopicState(int partitions, int offline, int underReplicated, int underMinIsr) {
    }

    /** The last poll; {@code topics} lacks a topic that does not exist; {@code down}: replicas not live. */
    private record Snapshot(boolean reachable, Map<String, TopicState> topics, SortedSet<Integer> down) {
    }

    private final Admin admin;
    private final List<String> topics;
    private final ScheduledExecutorService poller;
    /** Every broker ever seen live: id to host:port. */
    private final Map<Integer, String> addresses = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> brokerUp = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Integer> isrSizes = new HashMap<>(); // poller thread only
    private final Map<String, AtomicLong> isrShrinks = new ConcurrentHashMap<>();
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private volatile Snapshot last;
    private volatile String reported = "";

    /**
     * Polls from now on, first at once; until the first answer it reports Kafka healthy (the service reached it to
     * start).
     *
     * @param kafkaProperties the service's client properties ({@code bootstrap.servers}, security)
     * @param clientId the Admin client's id
     * @param topics the topics the service reads or writes
     */
    public KafkaClusterWatch(Map<String, ?> kafkaProperties, String clientId, Collection<String> topics,
            Duration interval) {
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        this.admin = Admin.create(props);
        this.topics = List.copyOf(new TreeSet<>(topics));
        this.topics.forEach(t -> isrShrinks.put(t, new AtomicLong()));
        last = new Snapshot(true, this.topics.stream().collect(Collectors.toMap(t -> t, t -> new TopicState(0, 0, 0,
                0))), new TreeSet<>());
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, clientId);
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::poll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why the service cannot work with Kafka now, naming topics and brokers; empty when it can. */
    public Optional<String> problem() {
        Snapshot s = last;
        if (!s.reachable()) {
            return Optional.of("Kafka not reachable");
        }
        List<String> problems = new ArrayList<>();
        for (String topic : topics) {
            TopicState t = s.topics().get(topic);
            if (t == null) {
                problems.add("topic " + topic + " does not exist");
                continue;
            }
            if (t.offline() > 0) {
                problems.add(topic + ": " + t.offline() + " of " + t.partitions() + " partitions without a leader");
            }
            if (t.underMinIsr() > 0) {
                problems.add(topic + ": " + t.underMinIsr() + " of " + t.partitions()
                        + " partitions below min.insync.replicas (writes refused)");
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        brokersDown(s).ifPresent(problems::add);
        return Optional.of(String.join("; ", problems));
    }

    /** Brokers down and under-replicated topics while the service still works; empty when there are none. */
    public Optional<String> warning() {
        Snapshot s = last;
        List<String> warnings = new ArrayList<>();
        s.topics().forEach((topic, t) -> {
            if (t.underReplicated() > 0) {
                warnings.add(topic + ": " + t.underReplicated() + " of " + t.partitions()
                        + " partitions under-replicated");
            }
        });
        brokersDown(s).ifPresent(warnings::add);
        return warnings.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", warnings));
    }

    private Optional<String> brokersDown(Snapshot s) {
        return s.down().isEmpty() ? Optional.empty() : Optional.of("brokers down: " + s.down().stream()
                .map(id -> id + " (" + addresses.getOrDefault(id, "never seen") + ")").collect(Collectors.joining(", ")));
    }

    /**
     * {@code tributary_kafka_reachable}; per watched topic {@code tributary_kafka_partitions_offline},
     * {@code _under_replicated}, {@code _under_min_isr} and {@code tributary_kafka_isr_shrinks_total}; per broker
     * ever seen {@code tributary_kafka_broker_up{broker, address}}.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
        Gauge.builder(M + "reachable", this, w -> w.last.reachable() ? 1 : 0)
                .description("1 while the Kafka cluster answers this service's Admin poll.").register(registry);
        for (String topic : topics) {
            topicGauge(registry, topic, "offline", "Partitions without a leader.", TopicState::offline);
            topicGauge(registry, topic, "under.replicated", "Partitions whose ISR is smaller than their replicas.",
                    TopicState::underReplicated);
            topicGauge(registry, topic, "under.min.isr", "Partitions whose ISR is below min.insync.replicas: "
                    + "acks=all writes refused.", TopicState::underMinIsr);
            FunctionCounter.builder(M + "isr.shrinks", isrShrinks.get(topic), AtomicLong::get)
                    .description("Partitions seen with a smaller ISR than at the poll before (polls every few s).")
                    .tag("topic", topic).register(registry);
        }
        bindBrokers(registry);
    }

    private void topicGauge(MeterRegistry registry, String topic, String name, String help,
            ToDoubleFunction<TopicState> value) {
        Gauge.builder(M + "partitions." + name, this, w -> {
            TopicState t = w.last.topics().get(topic);
            return t == null ? Double.NaN : value.applyAsDouble(t);
        }).description(help + " As this service's Admin poll sees them.").tag("topic", topic).register(registry);
    }

    private void bindBrokers(MeterRegistry registry) {
        addresses.forEach((id, address) -> Gauge.builder(M + "broker.up", brokerUp, up -> up.getOrDefault(id, false) ? 1 : 0)
                .description("1 while the broker is live in the cluster's metadata, 0 once fenced.")
                .tags("broker", id.toString(), "address", address).register(registry));
    }

    private void poll() {
        try {
            Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions()).nodes()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Set<Integer> live = nodes.stream().map(Node::id).collect(Collectors.toSet());
            nodes.forEach(n -> addresses.putIfAbsent(n.id(), n.host() + ":" + n.port()));
            addresses.keySet().forEach(id -> brokerUp.put(id, live.contains(id)));
            Map<String, KafkaFuture<TopicDescription>> described = admin
                    .describeTopics(topics, new DescribeTopicsOptions()).topicNameValues();
            Map<ConfigResource, KafkaFuture<Config>> configs = admin.describeConfigs(topics.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList(), new DescribeConfigsOptions())
                    .values();
            Map<String, TopicState> states = new HashMap<>();
            SortedSet<Integer> down = new TreeSet<>();
            for (String topic : topics) {
                try {
                    TopicDescription d = described.get(topic).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    states.put(topic, state(topic, d, minIsr(configs.get(new ConfigResource(
                            ConfigResource.Type.TOPIC, topic))), live, down));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AuthorizationException) {
                        states.put(topic, new TopicState(0, 0, 0, 0)); // not ours to see: nothing to tell
                    } else if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
            }
            last = new Snapshot(true, Map.copyOf(states), down);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Snapshot before = last;
            last = new Snapshot(false, before.topics(), before.down());
            LOG.debug("Kafka cluster poll failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        registries.forEach(this::bindBrokers);
        logChange();
    }

    /** The topic's min.insync.replicas; 0 (no check) when this client may not read topic configs (ACLs). */
    private static int minIsr(KafkaFuture<Config> config) throws InterruptedException, TimeoutException {
        try {
            ConfigEntry entry = config.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            return entry == null ? 0 : Integer.parseInt(entry.value());
        } catch (ExecutionException e) {
            return 0;
        }
    }

    private TopicState state(String topic, TopicDescription d, int minIsr, Set<Integer> live, Set<Integer> down) {
        int offline = 0;
        int under = 0;
        int belowMin = 0;
        for (TopicPartitionInfo p : d.partitions()) {
            int isr = p.isr().size();
            offline += p.leader() == null || p.leader().isEmpty() ? 1 : 0;
            under += isr < p.replicas().size() ? 1 : 0;
            belowMin += isr < minIsr ? 1 : 0;
            p.replicas().stream().map(Node::id).filter(id -> !live.contains(id)).forEach(down::add);
            Integer before = isrSizes.put(new TopicPartition(topic, p.partition()), isr);
            if (before != null && isr < before) {
                isrShrinks.get(topic).incrementAndGet();
            }
        }
        return new TopicState(d.partitions().size(), offline, under, belowMin);
    }

    private void logChange() {
        Optional<String> problem = problem();
        Optional<String> warning = warning();
        String now = problem.orElse("") + "|" + warning.orElse("");
        if (now.equals(reported)) {
            return;
        }
        reported = now;
        if (problem.isPresent()) {
            LOG.error("Kafka: {}: not ready", problem.get());
        } else if (warning.isPresent()) {
            LOG.warn("Kafka degraded (still ready): {}", warning.get());
        } else {
            LOG.info("Kafka healthy: every watched partition has a leader and its full ISR [topics: {}]", topics);
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
