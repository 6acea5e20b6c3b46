package io.tributary.simulator.verify;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.domain.InfluxQLQuery;
import com.influxdb.query.InfluxQLQueryResult;
import io.tributary.simulator.ledger.DeviceLedger;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Counts what InfluxDB holds per device and compares it with the loss ledger. */
public final class InfluxVerifier implements AutoCloseable {

    private final InfluxDBClient client;
    private final String database;

    public InfluxVerifier(InfluxTarget target) {
        this.client = InfluxDBClientFactory.create(target.url(), target.token().toCharArray(), target.org(),
                target.bucket());
        this.database = target.bucket();
    }

    /** Stored readings per device, for the devices whose id starts with {@code devicePrefix}. */
    public Map<String, Long> storedReadingsPerDevice(String devicePrefix) {
        String query = "SELECT count(\"value\") FROM \"readings\" WHERE \"device\" =~ /^"
                + regexLiteral(devicePrefix) + "/ GROUP BY \"device\"";
        InfluxQLQueryResult result = client.getInfluxQLQueryApi().queryJSON(new InfluxQLQuery(query, database));
        Map<String, Long> counts = new TreeMap<>();
        if (result == null) {
            return counts;
        }
        for (InfluxQLQueryResult.Result statement : result.getResults()) {
            for (InfluxQLQueryResult.Series series : statement.getSeries()) {
                String device = series.getTags().get("device");
                long count = 0;
                for (InfluxQLQueryResult.Series.Record record : series.getValues()) {
                    count += asLong(record.getValueByKey("count"));
                }
                counts.merge(device, count, Long::sum);
            }
        }
        return counts;
    }

    /** Holds the ledger's acknowledged readings against what is stored. */
    public VerificationReport verify(String devicePrefix, Map<String, DeviceLedger.Snapshot> ledger) {
        Map<String, Long> stored = storedReadingsPerDevice(devicePrefix);
        long published = 0;
        long storedTotal = 0;
        long lost = 0;
        long extra = 0;
        Map<String, Long> devicesWithLoss = new TreeMap<>();
        Map<String, Long> unmatched = new HashMap<>(stored);
        for (Map.Entry<String, DeviceLedger.Snapshot> entry : ledger.entrySet()) {
            long acked = entry.getValue().publishedReadings();
            long found = unmatched.getOrDefault(entry.getKey(), 0L);
            unmatched.remove(entry.getKey());
            published += acked;
            storedTotal += found;
            if (found < acked) {
                lost += acked - found;
                devicesWithLoss.put(entry.getKey(), acked - found);
            } else {
                extra += found - acked;
            }
        }
        for (long found : unmatched.values()) {
            storedTotal += found;
            extra += found;
        }
        return new VerificationReport(published, storedTotal, lost, extra, devicesWithLoss);
    }

    /**
     * Storage trails the PUBACK by the processor's poll and write: verifies again every half second until nothing is
     * missing or {@code settleTime} is up, and returns the last report.
     */
    public VerificationReport verifyWithin(String devicePrefix, Supplier<Map<String, DeviceLedger.Snapshot>> ledger,
            Duration settleTime) throws InterruptedException {
        long deadline = System.nanoTime() + settleTime.toNanos();
        VerificationReport report = verify(devicePrefix, ledger.get());
        while (!report.complete() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            report = verify(devicePrefix, ledger.get());
        }
        return report;
    }

    @Override
    public void close() {
        client.close();
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
