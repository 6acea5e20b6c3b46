package io.tributary.simulator.verify;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.domain.InfluxQLQuery;
import com.influxdb.query.InfluxQLQueryResult;
import io.tributary.simulator.ledger.DeviceLedger;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;

/**
 * Holds the loss ledger against InfluxDB (schema in DESIGN.md): readings counted per device and sensor, firing alerts
 * per device and rule.
 *
 * <p>What storage can and cannot show: a {@code readings} point has tags device and sensor, a value and the event time;
 * it carries no batch sequence number. So a lost batch shows as a lower count for its device and sensors, not as a
 * named gap; the gaps by sequence number are the ledger's own (batches never acknowledged). A duplicate publish of
 * the same batch cannot show as two points: the second write of the same device, sensor and timestamp overwrites the
 * first (that is the design's idempotence); readings stored twice under different timestamps show as extra readings.
 */
public final class InfluxVerifier implements AutoCloseable {

    private final InfluxDBClient client;
    private final String database;

    /**
     * How long one counting query may take. The client's default (10 s) is too short: InfluxDB 1.x counted the 42
     * million readings of a 10-minute benchmark in longer than that on a 2-core machine.
     */
    static final Duration QUERY_TIMEOUT = Duration.ofMinutes(10);

    public InfluxVerifier(InfluxTarget target) {
        OkHttpClient.Builder http = new OkHttpClient.Builder()
                .readTimeout(QUERY_TIMEOUT)
                .callTimeout(QUERY_TIMEOUT);
        this.client = InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                .url(target.url())
                .authenticateToken(target.token().toCharArray())
                .org(target.org())
                .bucket(target.bucket())
                .okHttpClient(http)
                .build());
        this.database = target.bucket();
    }

    /** Stored readings per device, for the devices whose id starts with {@code devicePrefix}. */
    public Map<String, Long> storedReadingsPerDevice(String devicePrefix) {
        Map<String, Long> counts = new TreeMap<>();
        storedReadingsPerSensor(devicePrefix).forEach((device, sensors) ->
                counts.put(device, sensors.values().stream().mapToLong(Long::longValue).sum()));
        return counts;
    }

    /** Stored readings per device and sensor. */
    public Map<String, Map<String, Long>> storedReadingsPerSensor(String devicePrefix) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        query("SELECT count(\"value\") FROM \"readings\" WHERE \"device\" =~ /^" + regexLiteral(devicePrefix)
                + "/ GROUP BY \"device\", \"sensor\"", (tags, count) -> counts
                .computeIfAbsent(tags.get("device"), d -> new TreeMap<>())
                .merge(tags.getOrDefault("sensor", ""), count, Long::sum));
        return counts;
    }

    /** {@code device/rule} of every alert that fired for the devices whose id starts with {@code devicePrefix}. */
    public Set<String> firedAlerts(String devicePrefix) {
        Set<String> fired = new HashSet<>();
        query("SELECT count(\"state\") FROM \"alerts\" WHERE \"device\" =~ /^" + regexLiteral(devicePrefix)
                + "/ AND \"state\" = 'firing' GROUP BY \"device\", \"rule\"", (tags, count) -> {
                    if (count > 0) {
                        fired.add(tags.get("device") + "/" + tags.get("rule"));
                    }
                });
        return fired;
    }

    /** Holds the ledger against what is stored. */
    public VerificationReport verify(String devicePrefix, Map<String, DeviceLedger.Snapshot> ledger) {
        Map<String, Map<String, Long>> stored = storedReadingsPerSensor(devicePrefix);
        boolean alertsExpected = ledger.values().stream().anyMatch(d -> !d.expectedAlerts().isEmpty());
        Set<String> fired = alertsExpected ? firedAlerts(devicePrefix) : Set.of();
        long published = 0;
        long storedTotal = 0;
        long lost = 0;
        long extra = 0;
        long unexplained = 0;
        long unsettled = 0;
        long rejected = 0;
        long duplicates = 0;
        int expectedAlerts = 0;
        List<String> missingAlerts = new ArrayList<>();
        Map<String, Long> devicesWithLoss = new TreeMap<>();
        Map<String, Map<String, Long>> unmatched = new HashMap<>(stored);
        for (DeviceLedger.Snapshot device : ledger.values()) {
            Map<String, Long> found = unmatched.getOrDefault(device.deviceId(), Map.of());
            unmatched.remove(device.deviceId());
            long storedOfDevice = found.values().stream().mapToLong(Long::longValue).sum();
            // Every batch holds the same number of readings of each sensor; without sensors, the device's total counts.
            List<String> sensors = device.sensors().isEmpty() ? List.of("") : device.sensors();
            Map<String, Long> counted = device.sensors().isEmpty() ? Map.of("", storedOfDevice) : found;
            long perSensor = device.publishedReadings() / sensors.size();
            long deviceLost = 0;
            long deviceExtra = 0;
            for (String sensor : sensors) {
                long count = counted.getOrDefault(sensor, 0L);
                deviceLost += Math.max(0, perSensor - count);
                deviceExtra += Math.max(0, count - perSensor);
            }
            for (Map.Entry<String, Long> other : counted.entrySet()) {
                if (!sensors.contains(other.getKey())) {
                    deviceExtra += other.getValue();
                }
            }
            long pendingReadings = device.generatedReadings() - device.publishedReadings() - device.rejectedReadings();
            published += device.publishedReadings();
            storedTotal += storedOfDevice;
            lost += deviceLost;
            extra += deviceExtra;
            unexplained += Math.max(0, deviceExtra - Math.max(0, pendingReadings));
            unsettled += device.generatedBatches() - device.publishedBatches() - device.rejectedBatches();
            rejected += device.rejectedReadings();
            duplicates += device.duplicateAcks();
            if (deviceLost > 0) {
                devicesWithLoss.put(device.deviceId(), deviceLost);
            }
            for (String rule : device.expectedAlerts()) {
                expectedAlerts++;
                if (!fired.contains(device.deviceId() + "/" + rule)) {
                    missingAlerts.add(device.deviceId() + "/" + rule);
                }
            }
        }
        for (Map<String, Long> found : unmatched.values()) {
            long count = found.values().stream().mapToLong(Long::longValue).sum();
            storedTotal += count;
            extra += count;
            unexplained += count;
        }
        return new VerificationReport(published, storedTotal, lost, extra, devicesWithLoss, unexplained, unsettled,
                rejected, duplicates, expectedAlerts, missingAlerts);
    }

    /**
     * Storage trails the PUBACK by the processor's poll and write, alerts by their rule's duration: verifies again every
     * half second until everything is there or {@code settleTime} is up, and returns the last report.
     */
    public VerificationReport verifyWithin(String devicePrefix, Supplier<Map<String, DeviceLedger.Snapshot>> ledger,
            Duration settleTime) throws InterruptedException {
        long deadline = System.nanoTime() + settleTime.toNanos();
        VerificationReport report = verify(devicePrefix, ledger.get());
        while (!report.passed() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            report = verify(devicePrefix, ledger.get());
        }
        return report;
    }

    @Override
    public void close() {
        client.close();
    }

    private interface SeriesCount {
        void accept(Map<String, String> tags, long count);
    }

    private void query(String influxQl, SeriesCount each) {
        InfluxQLQueryResult result = client.getInfluxQLQueryApi().queryJSON(new InfluxQLQuery(influxQl, database));
        if (result == null) {
            return;
        }
        for (InfluxQLQueryResult.Result statement : result.getResults()) {
            for (InfluxQLQueryResult.Series series : statement.getSeries()) {
                long count = 0;
                for (InfluxQLQueryResult.Series.Record record : series.getValues()) {
                    count += asLong(record.getValueByKey("count"));
                }
                each.accept(series.getTags(), count);
            }
        }
    }

    private static long asLong(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        return new BigDecimal(value.toString()).longValueExact();
    }

    /** Escapes everything but letters and digits, so a prefix is matched literally. */
    static String regexLiteral(String text) {
        StringBuilder escaped = new StringBuilder(text.length() * 2);
        for (char c : text.toCharArray()) {
            if (!Character.isLetterOrDigit(c)) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
