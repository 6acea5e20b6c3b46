package io.tributary.gateway;

import io.tributary.gateway.config.GatewayOptions;
import io.tributary.gateway.config.YamlDefaults;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the gateway until SIGTERM or Ctrl-C. Only wiring: options in ({@link GatewayOptions}), {@link Gateway} started,
 * stopped on exit. A bad option or config file ends in one line and exit code 2, a gateway that cannot start (Kafka
 * unreachable, a port in use) in one line and exit code 1: no stack trace.
 */
@Command(name = "tributary-gateway", mixinStandardHelpOptions = true, sortOptions = false,
        description = "MQTT gateway: validates device telemetry and forwards it to Kafka, acknowledging after Kafka did.",
        footer = "%nDurations: 250ms, 30s, 5m, 2h, 1d, 1.5s, 0 or ISO-8601 (PT0.002S), on the command line, in the"
                + " environment and in the YAML file alike.")
public final class GatewayMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);
    static final int CANNOT_START = 1;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    GatewayOptions options = new GatewayOptions();

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML file of option values, keys = option names without dashes (e.g. 'mqtt-port: 1883',"
                    + " 'kafka-property: {security.protocol: SSL}'); command line and environment override it"
                    + " (env TRIBUTARY_GATEWAY_CONFIG).")
    Path configFile;

    /** Set by {@link #commandLine} when a config file was given. */
    YamlDefaults yaml;

    GatewayConfig toConfig() {
        return options.toConfig(yaml);
    }

    @Override
    public Integer call() throws InterruptedException {
        GatewayConfig config;
        try {
            if (yamlError != null) {
                throw new IllegalArgumentException(yamlError);
            }
            config = toConfig();
        } catch (IllegalArgumentException e) {
            err().println("Invalid configuration: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        Gateway gateway = new Gateway(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("Shutdown requested");
            gateway.close();
            stopped.countDown();
        }, "gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            gateway.start().toCompletableFuture().join();
        } catch (RuntimeException e) {
            // The stack trace only helps when debugging; the one line names the step and the option.
            LOG.debug("Gateway did not start", e.getCause() != null ? e.getCause() : e);
            Runtime.getRuntime().removeShutdownHook(hook);
            gateway.close();
            err().println("Cannot start the gateway: " + gateway.startFailure().orElse(String.valueOf(e.getMessage())));
            return CANNOT_START;
        }
        stopped.await();
        return CommandLine.ExitCode.OK;
    }

    /** The command line, with defaults from the YAML file of {@code --config} (or {@code TRIBUTARY_GATEWAY_CONFIG}). */
    static CommandLine commandLine(String[] args, Function<String, String> environment) {
        GatewayMain main = new GatewayMain();
        CommandLine commandLine = new CommandLine(main);
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            e.getCommandLine().getErr().println(e.getMessage() + " (see --help)");
            return CommandLine.ExitCode.USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("Cannot start the gateway: " + e);
            LOG.debug("Gateway failed", e);
            return CANNOT_START;
        });
        String file = environment.apply("TRIBUTARY_GATEWAY_CONFIG");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                file = args[i].substring("--config=".length());
            }
        }
        if (file != null && !file.isBlank()) {
            try {
                main.yaml = YamlDefaults.load(Path.of(file), commandLine.getCommandSpec(), environment);
            } catch (IllegalArgumentException e) {
                main.yamlError = e.getMessage();
            }
            commandLine.setDefaultValueProvider(main.yaml);
        }
        return commandLine;
    }

    /** Why the config file could not be used, reported by {@link #call()}. */
    String yamlError;

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    public static void main(String[] args) {
        int exit = commandLine(args, System::getenv).execute(args);
        if (exit != CommandLine.ExitCode.OK) {
            System.exit(exit);
        }
    }
}
