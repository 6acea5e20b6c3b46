package io.tributary.demo.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Writes what the benchmark found: {@code bench.json}, {@code throughput.png}, {@code latency.png}, a RESULT line. */
final class BenchOutput {

    private BenchOutput() {
    }

    static void write(BenchReport report, List<Sample> samples, PhaseResult half, Path dir, PrintStream out)
            throws IOException {
        Files.writeString(dir.resolve("bench.json"), new JsonObject(report.toMap()).encodePrettily() + "\n",
                StandardCharsets.UTF_8);
        Plots.throughput(samples, dir.resolve("throughput.png"));
        Map<String, Histogram> hops = new LinkedHashMap<>();
        if (half != null) {
            hops.put("publish -> PUBACK", half.probe().puback.histogram());
            hops.put("publish -> Kafka", half.probe().kafka.histogram());
            hops.put("publish -> alert", half.probe().alert.histogram());
            hops.put("publish -> queryable in InfluxDB", half.probe().queryable.histogram());
        }
        Plots.latency(hops, String.format(Locale.ROOT, "Tributary pipeline: latency at half the sustained rate"
                + " (%,.0f readings/s)", half == null ? 0 : half.offered()), dir.resolve("latency.png"));
        out.println("RESULT " + new JsonObject(report.headline()).encode());
        out.println("Wrote " + dir.resolve("bench.json") + ", throughput.png, latency.png and logs/");
    }
}
