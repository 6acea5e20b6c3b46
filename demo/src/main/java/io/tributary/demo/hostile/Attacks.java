package io.tributary.demo.hostile;

import java.util.List;

/**
 * The attacks of the hostile-device suite, each written as a hostile client would: raw MQTT bytes from
 * {@link MqttWire}, records written straight into Kafka, a lying InfluxDB. Each returns what the attacker saw; the
 * suite ({@code HostileDevicesIT}) asserts on it and the benchmark ({@link HostileBench}) reports it. Attackers that
 * flood come from their own loopback address (127.0.0.2 and up), so throttling by address can tell them from the
 * honest fleet (127.0.0.1), as it would tell two hosts apart. The attacks come in families, one class each: readings
 * that break the input contract and series cardinality; wrong passwords, forged registry records and clones; the
 * publish quota, QoS 0, a socket never read and connections that never send CONNECT; malformed MQTT frames; an
 * InfluxDB that refuses every write.
 */
public record Attacks(InputAttacks input, LoginAttacks login, FloodAttacks floods, FrameAttacks frames,
        InfluxOutageAttack influx) {

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

    /** Provisions the attackers' devices: they hold valid secrets, as a stolen or cloned device would. */
    public static Attacks prepare(HostileCluster cluster) throws InterruptedException {
        Attacker attacker = new Attacker(cluster, cluster.kafka().provision(DEVICES));
        return new Attacks(new InputAttacks(attacker), new LoginAttacks(attacker), new FloodAttacks(attacker),
                new FrameAttacks(attacker), new InfluxOutageAttack(cluster));
    }
}
