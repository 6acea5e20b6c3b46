package io.tributary.demo.hostile;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attacks of the hostile-device suite, each written as a hostile client would: raw MQTT bytes from
 * {@link MqttWire}, records written straight into Kafka, a lying InfluxDB. Each returns what the attacker saw; the
 * suite ({@code HostileDevicesIT}) asserts on it and the benchmark ({@link HostileBench}) reports it. Attackers that
 * flood come from their own loopback address (127.0.0.2 and up), so throttling by address can tell them from the
 * honest fleet (127.0.0.1), as it would tell two hosts apart. The attacks come in families, one class each.
 */
public final class Attacks {

    private static final Logger LOG = LoggerFactory.getLogger(Attacks.class);

    public static final String HUGE = "hostile-huge";
    public static final String CONTRACT = "hostile-contract";
    public static final String KAFKA_POISON = "hostile-kafka";
    public static final String SENSORS = "hostile-sensors";
    public static final String FLOOD = "hostile-flood";
    public static final String CLONE = "hostile-clone";
    public static final String QUOTA = "hostile-quota";
    public static final String QOS0 = "hostile-qos0";
    public static final String SLOW = "hostile-slow";
    public static final String FUZZ = "hostile-fuzz";
    public static final String ITERATIONS = "hostile-iterations";
    /** Every provisioned attacker (the iterations attacker's record is forged, not provisioned). */
    public static final List<String> DEVICES = List.of(HUGE, CONTRACT, SENSORS, FLOOD, CLONE, QUOTA, QOS0, SLOW,
            FUZZ);

    private final InputAttacks input;
    private final LoginAttacks login;
    private final FloodAttacks floods;
    private final FrameAttacks frames;
    private final InfluxOutageAttack influx;

    private Attacks(HostileCluster cluster, Attacker attacker) {
        this.input = new InputAttacks(cluster, attacker);
        this.login = new LoginAttacks(cluster, attacker);
        this.floods = new FloodAttacks(cluster, attacker);
        this.frames = new FrameAttacks(cluster, attacker);
        this.influx = new InfluxOutageAttack(cluster);
    }

    /** Provisions the attackers' devices: they hold valid secrets, as a stolen or cloned device would. */
    public static Attacks prepare(HostileCluster cluster) throws InterruptedException {
        return new Attacks(cluster, new Attacker(cluster, cluster.kafka().provision(DEVICES)));
    }

    /** Readings that break the input contract; series cardinality. */
    public InputAttacks input() {
        return input;
    }

    /** Wrong passwords, forged registry records, clones. */
    public LoginAttacks login() {
        return login;
    }

    /** Over the quota, QoS 0, a socket never read, connections that never send CONNECT. */
    public FloodAttacks floods() {
        return floods;
    }

    /** Malformed MQTT frames. */
    public FrameAttacks frames() {
        return frames;
    }

    /** An InfluxDB that refuses every write. */
    public InfluxOutageAttack influx() {
        return influx;
    }

    static void logResult(AttackResult result) {
        LOG.info("Attack done: {}", result);
    }
}
