package io.tributary.gateway.cli;

import io.tributary.cli.DurationConverter;
import io.tributary.common.KafkaClientConfig;
import io.tributary.contract.Topics;
import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.contract.registry.DeviceRecord;
import io.tributary.contract.registry.DeviceRegistryClient;
import io.tributary.contract.registry.RegistryException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The device registry CLI: {@code add ID [--label KEY=VALUE ...]} (prints the secret once), {@code list},
 * {@code label ID KEY=VALUE ... [--unlabel KEY ...]}, {@code disable ID}, {@code enable ID}, {@code config ID FILE}.
 * Works against the running system's Kafka; every gateway (and, for labels, every processor) sees a change within a
 * poll.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Manage device identities in the registry (the compacted Kafka topic {prefix}devices) and their"
                + " labels ({prefix}device-metadata).",
        subcommands = {DevicesMain.Add.class, DevicesMain.AddMany.class, DevicesMain.ListDevices.class,
                LabelCommand.class, DevicesMain.Disable.class, DevicesMain.Enable.class, DevicesMain.Config.class})
public final class DevicesMain implements Callable<Integer> {

    /** Exit code when the device does not exist, or exists already for {@code add}. */
    static final int EXIT_DEVICE = 3;
    /** Exit code when Kafka could not be reached. */
    static final int EXIT_KAFKA = 4;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return CommandLine.ExitCode.USAGE;
    }

    /** Options every subcommand takes. */
    static final class KafkaOptions {
        @Option(names = "--kafka-bootstrap", defaultValue = "${env:TRIBUTARY_KAFKA_BOOTSTRAP}",
                description = "Kafka bootstrap servers (env TRIBUTARY_KAFKA_BOOTSTRAP; default: bootstrap.servers of"
                        + " --kafka-config, else localhost:9092).")
        String kafkaBootstrap;

        @Option(names = "--topic-prefix", defaultValue = "${env:TRIBUTARY_TOPIC_PREFIX:-" + Topics.DEFAULT_PREFIX + "}",
                description = "Prefix of the Kafka topics (env TRIBUTARY_TOPIC_PREFIX; default ${DEFAULT-VALUE}).")
        String topicPrefix;

        @Option(names = "--timeout", defaultValue = "15s", converter = DurationConverter.class,
                description = "Bound for each Kafka operation, e.g. 15s, 2m or ISO-8601 (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Mixin
        io.tributary.cli.KafkaOptions client = new io.tributary.cli.KafkaOptions();

        KafkaClientConfig config() {
            return client.resolve(kafkaBootstrap, System.getenv());
        }

        DeviceRegistryClient client() {
            KafkaClientConfig config = config();
            return new DeviceRegistryClient(config.bootstrap(), topicPrefix, config.properties(), timeout);
        }
    }

    /** Runs one registry operation, mapping failures to messages and exit codes. */
    abstract static class RegistryCommand implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                check();
                try (DeviceRegistryClient client = kafka.client()) {
                    client.ensureTopics();
                    return run(client, spec.commandLine().getOut());
                }
            } catch (IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            } catch (IllegalStateException | NoSuchElementException e) {
                err.println("error: " + e.getMessage());
                return EXIT_DEVICE;
            } catch (RegistryException | org.apache.kafka.common.KafkaException e) {
                err.println("error: Kafka at " + kafka.config().bootstrap() + ": " + e.getMessage());
                return EXIT_KAFKA;
            }
        }

        /** Checks the arguments before Kafka is asked: an {@link IllegalArgumentException} is a usage error. */
        void check() {
        }

        abstract int run(DeviceRegistryClient client, PrintWriter out);
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Provision a device: prints its secret once (the registry keeps only a salted hash).")
    static final class Add extends RegistryCommand {
        @Parameters(paramLabel = "ID", description = "Device id: 1..128 of [A-Za-z0-9._:@-].")
        String id;

        @Option(names = "--label", paramLabel = "KEY=VALUE",
                description = "A label written with the device, e.g. site=plant-3 (repeatable).")
        List<String> labels = List.of();

        @Override
        void check() {
            LabelCommand.toMap(labels);
        }

        @Override
        int run(DeviceRegistryClient client, PrintWriter out) {
            String secret = client.provisionAll(List.of(id), Map.of(id, LabelCommand.toMap(labels))).get(id);
            out.println(secret);
            out.flush();
            spec.commandLine().getErr().println("Device '" + id + "' added. The line above is its secret (MQTT"
                    + " password, user name = device id); it is shown only now.");
            return CommandLine.ExitCode.OK;
        }
    }

    @Command(name = "add-many", mixinStandardHelpOptions = true,
            description = "Provision a fleet PREFIX0..PREFIX{COUNT-1}; writes 'id,secret' lines to a new file"
                    + " readable by its owner only.")
    static final class AddMany extends RegistryCommand {
        @Parameters(index = "0", paramLabel = "PREFIX", description = "Device id prefix, e.g. bench-.")
        String prefix;

        @Parameters(index = "1", paramLabel = "COUNT")
        int count;

        @Option(names = "--secrets-file", required = true, paramLabel = "FILE",
                description = "New file for the 'id,secret' lines (must not exist).")
        Path secretsFile;

        @Override
        int run(DeviceRegistryClient client, PrintWriter out) {
            if (count < 1 || count > 1_000_000) {
                throw new IllegalArgumentException("COUNT must be 1..1000000, got " + count);
            }
            if (Files.exists(secretsFile)) {
                throw new IllegalArgumentException("secrets file " + secretsFile + " exists already");
            }
            Map<String, String> secrets = client.provisionAll(IntStream.range(0, count).mapToObj(i -> prefix + i)
                    .toList());
            StringBuilder lines = new StringBuilder();
            secrets.forEach((id, secret) -> lines.append(id).append(',').append(secret).append('\n'));
            try {
                Files.createFile(secretsFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
                Files.writeString(secretsFile, lines);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write secrets file " + secretsFile + ": "
                        + e.getMessage());
            }
            out.println(count + " devices added; secrets in " + secretsFile);
            return CommandLine.ExitCode.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List devices: id, state, last change, labels (tab-separated, a header line first).")
    static final class ListDevices extends RegistryCommand {
        @Override
        int run(DeviceRegistryClient client, PrintWriter out) {
            List<DeviceRecord> devices = client.list();
            Map<String, DeviceLabels> labels = client.labels();
            out.println("ID\tSTATE\tUPDATED\tLABELS");
            for (DeviceRecord device : devices) {
                out.printf("%s\t%s\t%s\t%s%n", device.deviceId(), device.enabled() ? "enabled" : "disabled",
                        device.updated(), LabelCommand.format(labels.getOrDefault(device.deviceId(),
                                DeviceLabels.none(device.deviceId()))));
            }
            out.flush();
            return CommandLine.ExitCode.OK;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Refuse the device's CONNECTs; gateways close its open connections.")
    static final class Disable extends RegistryCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(DeviceRegistryClient client, PrintWriter out) {
            client.disable(id);
            out.println("Device '" + id + "' disabled.");
            return CommandLine.ExitCode.OK;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Let a disabled device connect again.")
    static final class Enable extends RegistryCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(DeviceRegistryClient client, PrintWriter out) {
            client.enable(id);
            out.println("Device '" + id + "' enabled.");
            return CommandLine.ExitCode.OK;
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "Set the configuration delivered (retained) to the device on devices/ID/config.")
    static final class Config extends RegistryCommand {
        /** Kafka's default max.message.bytes leaves room for this. */
        static final int MAX_CONFIG_BYTES = 256 * 1024;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "FILE", description = "File whose bytes are sent as they are.")
        Path file;

        @Override
        int run(DeviceRegistryClient client, PrintWriter out) {
            byte[] config;
            try {
                if (Files.size(file) > MAX_CONFIG_BYTES) {
                    throw new IllegalArgumentException("config file " + file + " is larger than " + MAX_CONFIG_BYTES
                            + " bytes");
                }
                config = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("config file " + file + " does not exist");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
            }
            client.setConfig(id, config);
            out.println("Configuration of '" + id + "' set (" + config.length + " bytes).");
            return CommandLine.ExitCode.OK;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DevicesMain()).execute(args));
    }
}
