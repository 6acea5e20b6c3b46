package io.tributary.processor.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.domain.InfluxQLQuery;
import com.influxdb.query.InfluxQLQueryResult;

import io.tributary.processor.config.ProcessorConfig;
import io.tributary.processor.writer.DeviceHealthPointMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./tributary devices health ID}: the device's latest {@code device_health} point from InfluxDB, one field a
 * line (and its tags). Reads InfluxDB with InfluxQL, as the processor's options and environment point to it.
 */
@Command(name = "tributary devices health", mixinStandardHelpOptions = true,
        description = "Prints a device's delivery health as the processor last stored it in InfluxDB (measurement "
                + "device_health): batches, sequence gaps, late and duplicate batches, counter restarts, reported "
                + "drops, last sequence number, clock skew, backlog age and last arrival. Exit code 1 when InfluxDB "
                + "cannot be read or the device has no health yet.")
public final class DeviceHealthMain implements Callable<Integer> {

    private static final ProcessorConfig DEFAULTS = ProcessorConfig.defaults();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The device id.")
    String device;

    @Option(names = "--influx-url", paramLabel = "URL",
            description = "InfluxDB base URL (env TRIBUTARY_INFLUX_URL; default: http://localhost:8086).")
    String url;

    @Option(names = "--influx-token", paramLabel = "TOKEN", description = "InfluxDB API token (env "
            + "TRIBUTARY_INFLUX_TOKEN; default: none).")
    String token;

    @Option(names = "--influx-org", paramLabel = "ORG",
            description = "InfluxDB organization (env TRIBUTARY_INFLUX_ORG; default: tributary).")
    String org;

    @Option(names = "--influx-bucket", paramLabel = "BUCKET",
            description = "Bucket, on InfluxDB 1.x the database (env TRIBUTARY_INFLUX_BUCKET; default: telemetry).")
    String bucket;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with its error answers (also for tests). */
    public static CommandLine commandLine() {
        return new CommandLine(new DeviceHealthMain()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("tributary devices health: " + e.getMessage());
            return 1;
        });
    }

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        String influxUrl = pick(url, env.get("TRIBUTARY_INFLUX_URL"), DEFAULTS.influxUrl());
        String database = pick(bucket, env.get("TRIBUTARY_INFLUX_BUCKET"), DEFAULTS.influxBucket());
        String query = "SELECT * FROM " + DeviceHealthPointMapper.MEASUREMENT + " WHERE \"device\" = '"
                + device.replace("\\", "\\\\").replace("'", "\\'") + "' ORDER BY time DESC LIMIT 1";
        InfluxQLQueryResult result;
        try (InfluxDBClient client = InfluxDBClientFactory.create(InfluxDBClientOptions.builder().url(influxUrl)
                .authenticateToken(pick(token, env.get("TRIBUTARY_INFLUX_TOKEN"), DEFAULTS.influxToken())
                        .toCharArray())
                .org(pick(org, env.get("TRIBUTARY_INFLUX_ORG"), DEFAULTS.influxOrg())).build())) {
            result = client.getInfluxQLQueryApi().queryJSON(new InfluxQLQuery(query, database));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read InfluxDB at " + influxUrl + " (database " + database + "): "
                    + e.getMessage(), e);
        }
        List<InfluxQLQueryResult.Series> series = result == null || result.getResults().isEmpty() ? List.of()
                : result.getResults().get(0).getSeries();
        if (series.isEmpty() || series.get(0).getValues().isEmpty()) {
            throw new IllegalStateException("no health of device '" + device + "' in " + influxUrl + " (database "
                    + database + ") yet: the processor stores it (with streams and health enabled) after the "
                    + "device's first batch");
        }
        PrintWriter out = spec.commandLine().getOut();
        InfluxQLQueryResult.Series.Record point = series.get(0).getValues().get(0);
        series.get(0).getColumns().entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(column ->
                out.printf("%-18s %s%n", column.getKey(), point.getValues()[column.getValue()]));
        out.flush();
        return 0;
    }

    private static String pick(String option, String env, String fallback) {
        return option != null ? option : env != null && !env.isEmpty() ? env : fallback;
    }
}
