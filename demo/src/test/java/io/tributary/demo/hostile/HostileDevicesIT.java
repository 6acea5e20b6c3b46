package io.tributary.demo.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import io.tributary.demo.hostile.HostileRun.Attack;
import io.tributary.demo.hostile.HostileRun.Phase;
import io.tributary.simulator.verify.VerificationReport;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The hostile-device suite (issue 17, guarantee 6 of docs/DESIGN.md): the real gateway and processor, each its own
 * process from its built jar, on the local stack's Kafka and a real {@code influxd}, while 20 provisioned honest
 * devices (the simulator's fleet, registry authentication on) publish for the whole run. Every attack asserts what
 * the attacker gets; the run asserts that the honest fleet is unharmed: every acknowledged reading stored, rollups of
 * honest devices after every attack, both services up (same processes) and ready throughout (the processor excused
 * only while InfluxDB refuses every write, where not-ready is the required answer), honest devices still connecting,
 * the gateway's heap bounded. Attacks that do not disturb each other's observations run at the same time, to keep the
 * whole run within a few minutes on a 2-core machine.
 *
 * <p>Assertions are soft: one run reports every broken promise, not only the first.
 */
class HostileDevicesIT {

    private static final int HONEST_DEVICES = 20;
    /** InputContract.DEFAULT_MAX_SENSORS_PER_DEVICE is 256: a device inventing 1,000 names is refused before that. */
    private static final int SENSOR_NAMES_TRIED = 1_000;
    private static final int CLONES = 50;
    /** Above the gateway's default --max-pending-connects (1,000): the excess must be closed at once. */
    private static final int SILENT_CONNECTIONS = 1_200;
    /** The gateway's default per-device quota: --device-publish-rate 1000/s, --device-publish-burst 2000. */
    private static final long PUBLISH_RATE = 1_000;
    private static final long PUBLISH_BURST = 2_000;
    private static final Duration FLOOD = Duration.ofSeconds(10);
    private static final long GATEWAY_HEAP_AFTER_GC_LIMIT = 128L << 20;


    /** {@code reason: detail} of each dead letter of {@code device}. */
    private static List<String> reasons(List<ConsumerRecord<String, byte[]>> deadLetters, String device) {
        return deadLetters.stream().filter(r -> device.equals(r.key()))
                .map(r -> HostileKafka.header(r, "tributary.reason") + ": "
                        + HostileKafka.header(r, "tributary.reason-detail")).toList();
    }

    @Test
    void noDeviceCanHurtTheFleet() throws Exception {
        // Failsafe runs in the module directory; the reactor's package phase built the services' jars before this.
        Path root = Path.of("").toAbsolutePath().getParent();
        // The services' logs stay after the run, for a failure's post-mortem (mvn clean removes them).
        Path logs = Path.of("target", "hostile-it", "logs-" + System.currentTimeMillis()).toAbsolutePath();
        try (HostileRun run = HostileRun.start(root, logs, HONEST_DEVICES, Duration.ofSeconds(1))) {
            HostileCluster cluster = run.cluster();

            Phase baseline = run.quiet("baseline", Duration.ofSeconds(8));
            Phase input = run.phase("input", Duration.ofSeconds(8), List.<Attack>of(
                    a -> a.input().hugeValues(),
                    a -> a.input().contractAtTheDoor(),
                    a -> a.input().poisonInKafka(),
                    a -> a.input().tooManySensors(SENSOR_NAMES_TRIED),
                    a -> a.frames().fuzz(120, 17)));
            Phase login = run.phase("login", Duration.ofSeconds(10), List.<Attack>of(
                    a -> a.login().wrongPasswordFlood(Duration.ofSeconds(10), 4),
                    a -> a.login().clones(CLONES)));
            // The quota attacker needs the gateway's answers fast to outrun its quota: not next to the QoS 0 flood.
            Phase quotas = run.phase("quota", Duration.ofSeconds(8), List.<Attack>of(
                    a -> a.floods().publishQuota(Duration.ofSeconds(8)),
                    a -> a.floods().slowReader(Duration.ofSeconds(8))));
            Phase floods = run.phase("floods", Duration.ofSeconds(12), List.<Attack>of(
                    a -> a.floods().qos0Flood(FLOOD),
                    a -> a.floods().silentConnections(SILENT_CONNECTIONS,
                            HostileCluster.CONNECT_TIMEOUT.plusSeconds(4))));
            Phase outage = run.phase("influx-outage", Duration.ZERO, List.<Attack>of(
                    a -> a.influx().influxRefusesEverything(Duration.ofSeconds(20))));
            Phase registry = run.phase("registry", Duration.ofSeconds(3), List.<Attack>of(
                    a -> a.login().registryIterations()));

            Map<String, Long> rollupsAfter = run.honestRollupsAfterEachPhase(Duration.ofSeconds(60));
            List<ConsumerRecord<String, byte[]>> deadLetters = cluster.deadLetters();
            long heapAfterGc = cluster.gateway().heapUsedBytes(true); // after a full GC: what the gateway keeps
            VerificationReport ledger = run.stopFleetAndVerify(Duration.ofSeconds(120));
            List<JsonArray> hugeRollups = cluster.influxQl().query("SELECT \"count\", \"mean\", \"max\" FROM \"rollups\""
                    + " WHERE \"device\" = '" + Attacks.HUGE + "' AND \"window\" = '10s'");
            List<JsonArray> qos0Stored = cluster.influxQl().query("SELECT count(\"value\") FROM \"readings\""
                    + " WHERE \"device\" = '" + Attacks.QOS0 + "'");

            System.out.println(HostileBench.table(run.phases(), baseline));

            assertSoftly(soft -> {
                // --- what the attackers got ---
                AttackResult huge = input.attack("1e308");
                soft.assertThat(huge.longFact("puback")).as("1e308 x2: finite, so accepted").isZero();
                soft.assertThat(hugeRollups).as("the 1e308 rollup: stored, count 2, mean finite (1e308)")
                        .anySatisfy(row -> {
                            assertThat(row.getLong(1)).isEqualTo(2L);
                            assertThat(row.getDouble(2)).isEqualTo(1e308);
                        });

                AttackResult contract = input.attack("input contract");
                for (String rule : List.of("year_2200", "year_1990", "nan", "infinity", "sensor_above_0xff",
                        "sensor_300_chars")) {
                    soft.assertThat(contract.longFact(rule)).as("%s refused whole with 0x99", rule)
                            .isEqualTo(0x99);
                }
                List<String> contractLetters = reasons(deadLetters, Attacks.CONTRACT);
                soft.assertThat(contractLetters).as("each refused batch dead-lettered with a reason").hasSize(6)
                        .allSatisfy(reason -> assertThat(reason).doesNotEndWith(": null"));
                soft.assertThat(reasons(deadLetters, Attacks.KAFKA_POISON))
                        .as("records written straight into Kafka dead-lettered by the processor")
                        .hasSizeGreaterThanOrEqualTo(4);

                AttackResult sensors = input.attack("distinct sensors");
                soft.assertThat(sensors.longFact("first_refusal")).as("sensor cardinality: refused with 0x99")
                        .isEqualTo(0x99);
                soft.assertThat(sensors.longFact("distinct_sensors_accepted")).as("accepted before the refusal")
                        .isLessThanOrEqualTo(256);

                AttackResult fuzz = input.attack("fuzzed");
                soft.assertThat(fuzz.answers()).as("random and truncated frames (then half-closed): closed")
                        .allSatisfy((answer, count) -> {
                            if (answer.startsWith("random") || answer.startsWith("truncated")) {
                                assertThat(answer).endsWith(": closed");
                            }
                        });
                soft.assertThat((List<?>) fuzz.fact("silent_then_open_past_connect_timeout"))
                        .as("a frame the gateway waits on ends at the connect timeout: " + fuzz.facts()).isEmpty();
                soft.assertThat(String.valueOf(fuzz.fact("PUBLISH declaring 200 MB in a session")))
                        .as("a packet above the Maximum Packet Size: DISCONNECT 0x95 (gateway README)")
                        .matches("DISCONNECT 0x95.*|closed");
                soft.assertThat((List<?>) fuzz.fact("malformed_connects_accepted"))
                        .as("malformed CONNECTs (bad protocol level, bad properties) refused, not accepted: "
                                + fuzz.facts()).isEmpty();
                soft.assertThat(fuzz.longFact("gateway_stack_trace_lines"))
                        .as("no stack trace per malformed frame (%s frames)", fuzz.fact("frames"))
                        .isLessThan(50);

                AttackResult flood = login.attack("wrong-password");
                soft.assertThat(flood.answered("CONNACK 0x9f")).as("the flood is throttled (0x9F): " + flood.answers())
                        .isPositive();
                soft.assertThat(flood.answered("no answer within 5 s")).as("every flood CONNECT answered").isZero();

                AttackResult clones = login.attack("one device's secret");
                soft.assertThat(clones.answered("CONNECT: CONNACK 0x00")).as("each clone's CONNECT accepted")
                        .isEqualTo(CLONES);
                soft.assertThat(clones.longFact("live")).as("one live connection per device id: " + clones.answers())
                        .isEqualTo(1);
                soft.assertThat(clones.answered("then: DISCONNECT 0x8e")).as("the others taken over with 0x8E")
                        .isEqualTo(CLONES - 1);

                AttackResult quota = quotas.attack("publish quota");
                soft.assertThat(quota.answered("PUBACK 0x97")).as("over quota: 0x97 " + quota.answers()).isPositive();

                AttackResult qos0 = floods.attack("QoS 0");
                long qos0Readings = qos0Stored.isEmpty() ? 0 : qos0Stored.get(0).getLong(1);
                soft.assertThat(qos0.longFact("publishes")).as("the QoS 0 flood outran the quota")
                        .isGreaterThan(2 * (PUBLISH_RATE * FLOOD.toSeconds() + PUBLISH_BURST));
                soft.assertThat(qos0Readings).as("QoS 0 counted against the quota: stored of %s sent (%s)",
                        qos0.fact("publishes"), qos0.answers())
                        .isLessThanOrEqualTo((PUBLISH_RATE * (FLOOD.toSeconds() + 2) + PUBLISH_BURST) * 5 / 4);

                AttackResult slow = quotas.attack("never reads");
                soft.assertThat(slow.fact("cut_off")).as("a socket that does not drain is cut off: " + slow.facts())
                        .isEqualTo(true);

                AttackResult silent = floods.attack("never send CONNECT");
                soft.assertThat(silent.longFact("closed_by_end")).as("silent connections time out: " + silent.facts())
                        .isEqualTo(silent.longFact("opened"));
                soft.assertThat(silent.longFact("closed_within_1s") + silent.longFact("refused_at_tcp"))
                        .as("silent connections count against a limit: the excess refused at once")
                        .isPositive();

                AttackResult influx = outage.attack("400");
                soft.assertThat(influx.longFact("refused_writes")).as("the processor tried to write").isPositive();
                soft.assertThat(influx.longFact("not_ready_polls")).as("an outage turns the processor not ready")
                        .isPositive();
                soft.assertThat(influx.longFact("processor_deadlettered_during")).as("an outage dead-letters nothing")
                        .isZero();
                soft.assertThat(influx.longFact("ready_again_ms")).as("ready again once InfluxDB writes")
                        .isNotNegative();

                AttackResult iterations = registry.attack("iterations");
                soft.assertThat(iterations.answers().keySet()).as("a forged record with 2^31-1 iterations: refused"
                        + " at once").allSatisfy(a -> assertThat(a).startsWith("CONNACK 0x").isNotEqualTo(
                                "CONNACK 0x00"));
                soft.assertThat(iterations.longFact("slowest_answer_ms")).isLessThan(5_000);

                // --- the honest fleet ---
                soft.assertThat(ledger.lostReadings()).as("honest readings lost: " + ledger).isZero();
                soft.assertThat(ledger.passed()).as("ledger verifies: " + ledger).isTrue();
                soft.assertThat(ledger.publishedReadings()).isPositive();
                soft.assertThat(deadLetters.stream().map(ConsumerRecord::key)
                        .filter(key -> key != null && key.startsWith(run.fleet().devicePrefix())).toList())
                        .as("no honest record dead-lettered").isEmpty();
                soft.assertThat(rollupsAfter).as("honest rollups with window starts after every phase")
                        .allSatisfy((phase, count) -> assertThat(count).as(phase).isPositive());
                for (Phase phase : run.phases()) {
                    soft.assertThat(phase.failedConnects()).as("honest connects refused during %s", phase.name())
                            .isZero();
                    soft.assertThat(phase.connack().getTotalCount()).as("honest connects during %s", phase.name())
                            .isPositive();
                }
                soft.assertThat(cluster.servicesNeverRestarted()).as("gateway and processor never restarted")
                        .isTrue();
                java.util.Set<String> notReady = cluster.watchdog().failuresOutside("influx-outage").stream()
                        .map(c -> c.phase() + ": gateway ready " + c.gatewayReady() + ", processor ready "
                                + c.processorReady()).collect(Collectors.toCollection(java.util.TreeSet::new));
                soft.assertThat(notReady).as("both services ready throughout").isEmpty();
                soft.assertThat(cluster.watchdog().checks().stream().filter(c -> c.phase().equals("influx-outage"))
                        .allMatch(c -> c.gatewayReady() && c.gatewayAlive() && c.processorAlive()))
                        .as("the InfluxDB outage leaves the gateway ready and both alive").isTrue();
                soft.assertThat(cluster.watchdog().peakGatewayHeapBytes()).as("gateway heap sampled").isPositive();
                soft.assertThat(heapAfterGc).as("gateway heap after the attacks and a full GC")
                        .isBetween(1L, GATEWAY_HEAP_AFTER_GC_LIMIT);
            });
        }
    }
}
