package io.tributary.processor.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.contract.InputContract;
import io.tributary.processor.contract.ContractCheck;
import io.tributary.processor.enrich.Labels;
import io.tributary.processor.writer.LinePoint;
import io.tributary.processor.writer.MappedRecord;
import io.tributary.processor.writer.ReadingPointMapper;
import io.tributary.testing.batch.TestBatches;

/**
 * CPU per reading of what enrichment adds where it costs per reading, the readings writer: a telemetry record mapped
 * (decode, contract re-check, points) and encoded as line protocol, with {@code enrichment.tags: [site, kind]} and
 * every device labelled (site, kind, owner), against no label tags. Alternating rounds on one thread after a warm-up;
 * thread CPU time, so other load on the machine changes little. Also prints the cost of decoding a device's labels
 * from the Streams store's string (done per closed window entry, and per batch only when a rule uses {@code match}).
 *
 * <p>{@code EnrichmentBench [rounds 20] [batches-per-round 50000]}; batches of 10 readings, 1,000 devices, 2 sensors.
 */
public final class EnrichmentBench {

    private static final int DEVICES = 1_000;
    private static final int PER_REQUEST = 5_000;
    private static long sink;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        Map<String, Map<String, String>> labels = new ConcurrentHashMap<>();
        byte[][] keys = new byte[DEVICES][];
        byte[][] values = new byte[DEVICES][];
        long now = TestBatches.nowNanos();
        for (int d = 0; d < DEVICES; d++) {
            String device = "dev-" + d;
            labels.put(device, Map.of("site", "plant-" + d % 10, "kind", d % 2 == 0 ? "motor" : "pump", "owner", "ops"));
            keys[d] = device.getBytes(StandardCharsets.UTF_8);
            values[d] = TestBatches.batch(device).seq(1).add(10, i -> TestBatches.reading(i % 2 == 0 ? "temperature"
                    : "humidity", 20 + i * 0.1, now + i * 1_000_000L)).toByteArray();
        }
        ContractCheck contract = new ContractCheck(InputContract.DEFAULTS);
        ReadingPointMapper off = new ReadingPointMapper(contract, Clock.systemUTC());
        ReadingPointMapper on = new ReadingPointMapper(contract, Clock.systemUTC(), List.of("site", "kind"),
                d -> labels.getOrDefault(d, Map.of()));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 5; i++) { // warm-up: both paths compiled before measuring
            run(off, keys, values, batches / 5);
            run(on, keys, values, batches / 5);
        }
        List<Double> offNs = new ArrayList<>();
        List<Double> onNs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                boolean runOn = (k == 0) == (r % 2 == 0);
                long t0 = threads.getCurrentThreadCpuTime();
                run(runOn ? on : off, keys, values, batches);
                double perReading = (threads.getCurrentThreadCpuTime() - t0) / (batches * 10.0);
                (runOn ? onNs : offNs).add(perReading);
            }
        }
        String encoded = Labels.encode(labels.get("dev-0"));
        long t0 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < 5_000_000; i++) {
            sink += Labels.decode(encoded).size();
        }
        double decodeNs = (threads.getCurrentThreadCpuTime() - t0) / 5_000_000.0;
        double median = LineProtocolBench.median(onNs) - LineProtocolBench.median(offNs);
        System.out.printf(Locale.ROOT, "readings writer, no label tags: median %.0f ns CPU per reading (min %.0f, "
                + "max %.0f)%n", LineProtocolBench.median(offNs), LineProtocolBench.min(offNs),
                LineProtocolBench.max(offNs));
        System.out.printf(Locale.ROOT, "readings writer, tags site and kind: median %.0f ns CPU per reading (min %.0f,"
                + " max %.0f): +%.0f ns (+%.0f %%)%n", LineProtocolBench.median(onNs), LineProtocolBench.min(onNs),
                LineProtocolBench.max(onNs), median, 100 * median / LineProtocolBench.median(offNs));
        System.out.printf(Locale.ROOT, "labels decoded from the Streams store (3 labels): %.0f ns per lookup%n",
                decodeNs);
        System.out.println("(checksum " + sink + ")");
    }

    /** What a readings writer does with a record: map it, then encode its points with the request's others. */
    private static void run(ReadingPointMapper mapper, byte[][] keys, byte[][] values, int batches) {
        StringBuilder reuse = new StringBuilder(1 << 20);
        List<LinePoint> request = new ArrayList<>(PER_REQUEST);
        for (int b = 0; b < batches; b++) {
            int d = b % DEVICES;
            request.addAll(((MappedRecord.Points) mapper.map(keys[d], values[d])).points());
            if (request.size() >= PER_REQUEST) {
                sink += LinePoint.encode(request, reuse).length();
                request.clear();
            }
        }
    }
}
