package io.tributary.processor.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;

import io.tributary.processor.writer.LinePoint;

/**
 * CPU per reading of the write body: {@link LinePoint} (ours) against influxdb-client-java's {@link Point}, each
 * building a request of 5,000 reading points (tags device and sensor, float field value, nanosecond time) and encoding
 * it to one line-protocol string. Alternating rounds on one thread after a warm-up; thread CPU time per reading.
 *
 * <p>{@code LineProtocolBench [rounds 20] [readings-per-round 500000]}
 */
public final class LineProtocolBench {

    private static final int PER_REQUEST = 5_000;
    private static long sink;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int readings = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 5; i++) { // warm-up: both paths compiled before measuring
            ours(readings / 5);
            library(readings / 5);
        }
        List<Double> oursNs = new ArrayList<>();
        List<Double> libraryNs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean oursFirst = r % 2 == 0;
            for (int k = 0; k < 2; k++) {
                boolean runOurs = (k == 0) == oursFirst;
                long t0 = threads.getCurrentThreadCpuTime();
                if (runOurs) {
                    ours(readings);
                } else {
                    library(readings);
                }
                double perReading = (threads.getCurrentThreadCpuTime() - t0) / (double) readings;
                (runOurs ? oursNs : libraryNs).add(perReading);
            }
        }
        System.out.printf(Locale.ROOT, "LinePoint: median %.0f ns CPU per reading (min %.0f, max %.0f)%n",
                median(oursNs), min(oursNs), max(oursNs));
        System.out.printf(Locale.ROOT, "influxdb-client Point: median %.0f ns CPU per reading (min %.0f, max %.0f)%n",
                median(libraryNs), min(libraryNs), max(libraryNs));
        System.out.println("(checksum " + sink + ")");
    }

    private static void ours(int readings) {
        StringBuilder reuse = new StringBuilder(1 << 20);
        List<LinePoint> batch = new ArrayList<>(PER_REQUEST);
        for (int i = 0; i < readings; i++) {
            batch.add(LinePoint.measurement("readings").tag("device", device(i)).tag("sensor", sensor(i))
                    .floatField("value", value(i)).time(time(i)));
            if (batch.size() == PER_REQUEST) {
                sink += LinePoint.encode(batch, reuse).length();
                batch.clear();
            }
        }
    }

    private static void library(int readings) {
        List<Point> batch = new ArrayList<>(PER_REQUEST);
        for (int i = 0; i < readings; i++) {
            batch.add(Point.measurement("readings").addTag("device", device(i)).addTag("sensor", sensor(i))
                    .addField("value", value(i)).time(time(i), WritePrecision.NS));
            if (batch.size() == PER_REQUEST) {
                StringBuilder body = new StringBuilder(1 << 20);
                for (Point p : batch) {
                    if (body.length() > 0) {
                        body.append('\n');
                    }
                    body.append(p.toLineProtocol());
                }
                sink += body.length();
                batch.clear();
            }
        }
    }

    private static final String[] DEVICES = new String[1_000];
    private static final String[] SENSORS = {"temperature", "humidity"};

    static {
        for (int i = 0; i < DEVICES.length; i++) {
            DEVICES[i] = "device-" + i;
        }
    }

    private static String device(int i) {
        return DEVICES[(i / 2) % DEVICES.length];
    }

    private static String sensor(int i) {
        return SENSORS[i % 2];
    }

    private static double value(int i) {
        return 20 + (i % 1000) * 0.013;
    }

    private static long time(int i) {
        return 1_765_000_000_000_000_000L + i * 1_000_000L;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
