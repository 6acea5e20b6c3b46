package io.tributary.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.contract.metadata.DeviceMetadataReader;
import io.tributary.localstack.LocalStack;
import io.tributary.localstack.LocalStackOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code devices add --label}, {@code label}, {@code --unlabel} and {@code list} against a real Kafka. */
class DeviceLabelsCliIT {

    private static final String PREFIX = "labels.";
    private static final String METADATA = PREFIX + "device-metadata";

    private static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalStackOptions.defaults().withStartInflux(false));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** Exit code, standard output, standard error. */
    private record Run(int exit, String out, String err) {
    }

    private static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kafka-bootstrap", stack.kafkaBootstrapServers(), "--topic-prefix", PREFIX));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new DevicesMain());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static DeviceMetadataReader stored() {
        return DeviceMetadataReader.read(Map.of("bootstrap.servers", stack.kafkaBootstrapServers()), METADATA,
                Duration.ofSeconds(20));
    }

    private static String listed(String deviceId) {
        Run list = cli("list");
        assertThat(list.exit()).isZero();
        assertThat(list.out().lines().findFirst()).hasValue("ID\tSTATE\tUPDATED\tLABELS");
        return list.out().lines().filter(line -> line.startsWith(deviceId + "\t")).findFirst()
                .orElseThrow(() -> new AssertionError(deviceId + " not listed in " + list.out()));
    }

    @Test
    void shouldAddWithLabelsThenRelabelUnlabelAndListThem() {
        assertThat(cli("add", "motor-1", "--label", "site=plant-3", "--label", "kind=motor").exit()).isZero();
        assertThat(stored().labelsOf("motor-1").labels()).containsExactly(Map.entry("kind", "motor"),
                Map.entry("site", "plant-3"));
        assertThat(listed("motor-1")).startsWith("motor-1\tenabled\t").endsWith("\tkind=motor,site=plant-3");

        Run relabel = cli("label", "motor-1", "site=plant-4", "line=b");
        assertThat(relabel.exit()).isZero();
        assertThat(relabel.out()).contains("Labels of 'motor-1': kind=motor,line=b,site=plant-4");

        assertThat(cli("label", "motor-1", "--unlabel", "line").exit()).isZero();
        assertThat(listed("motor-1")).endsWith("\tkind=motor,site=plant-4");

        Run last = cli("label", "motor-1", "--unlabel", "kind", "--unlabel", "site");
        assertThat(last.exit()).isZero();
        assertThat(last.out()).contains("Labels of 'motor-1': -");
        assertThat(stored().labels()).doesNotContainKey("motor-1"); // a tombstone: no labels
        assertThat(listed("motor-1")).endsWith("\t-");
    }

    @Test
    void shouldRefuseLabelsOfAnUnknownDeviceAndWriteNothing() {
        Run run = cli("label", "nobody", "site=plant-3");
        assertThat(run.exit()).isEqualTo(DevicesMain.EXIT_DEVICE);
        assertThat(run.err()).contains("error: no device 'nobody'");
        assertThat(stored().labels()).doesNotContainKey("nobody");
    }

    @Test
    void shouldKeepTheLabelsOfADeviceAddedTwice() {
        assertThat(cli("add", "twice", "--label", "site=plant-1").exit()).isZero();
        Run again = cli("add", "twice", "--label", "site=plant-2");
        assertThat(again.exit()).isEqualTo(DevicesMain.EXIT_DEVICE);
        assertThat(again.err()).contains("device 'twice' exists already");
        assertThat(stored().labelsOf("twice").labels()).containsExactly(Map.entry("site", "plant-1"));
    }

    @Test
    void shouldSkipAndCountAnInvalidRecordAndKeepTheDevicesLastGoodLabels() throws Exception {
        assertThat(cli("add", "hostile", "--label", "site=plant-5").exit()).isZero();
        send("hostile", "{\"device\":\"hostile\",\"labels\":{\"device\":\"spoofed\"},\"updated\":\"x\"}");
        send("someone-else", "not json");

        DeviceMetadataReader read = stored();
        assertThat(read.invalidRecords()).isEqualTo(2);
        assertThat(read.labelsOf("hostile").labels()).containsExactly(Map.entry("site", "plant-5"));
        assertThat(listed("hostile")).endsWith("\tsite=plant-5");
    }

    private static void send(String key, String value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(METADATA, key, value.getBytes(StandardCharsets.UTF_8)))
                    .get(20, TimeUnit.SECONDS);
        }
    }
}
