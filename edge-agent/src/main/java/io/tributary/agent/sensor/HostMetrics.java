package io.tributary.agent.sensor;

import static io.tributary.agent.sensor.KernelText.firstNumber;
import static io.tributary.agent.sensor.KernelText.parse;
import static io.tributary.agent.sensor.KernelText.readText;
import static io.tributary.agent.sensor.SensorParams.string;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Metrics every Linux host has: CPU, load, memory, disk, network counters, uptime (from /proc and statvfs). */
record HostMetrics(Path root) {

    /** CPU busy % between two reads of /proc/stat; the first read compares with boot. */
    ValueReader cpu() {
        Path file = root.resolve("proc/stat");
        long[] last = new long[2]; // total and idle ticks at the previous read
        return () -> {
            synchronized (last) {
                String first = readText(file).lines().filter(l -> l.startsWith("cpu ")).findFirst()
                        .orElseThrow(() -> new SensorException("/proc/stat has no cpu line"));
                String[] f = first.strip().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += (long) parse(f[i], "/proc/stat");
                }
                long idle = (long) parse(f[4], "/proc/stat") + (f.length > 5 ? (long) parse(f[5], "/proc/stat") : 0);
                long dTotal = total - last[0];
                long dIdle = idle - last[1];
                last[0] = total;
                last[1] = idle;
                return dTotal <= 0 ? 0 : Math.round((dTotal - dIdle) * 10_000.0 / dTotal) / 100.0;
            }
        };
    }

    ValueReader uptime() {
        Path file = root.resolve("proc/uptime");
        return () -> firstNumber(readText(file), "/proc/uptime");
    }

    /** Load average over 1, 5 or 15 minutes ({@code index} 0, 1, 2). */
    ValueReader load(int index) {
        Path file = root.resolve("proc/loadavg");
        return () -> {
            String[] parts = readText(file).strip().split("\\s+");
            if (parts.length < 3) {
                throw new SensorException("/proc/loadavg is malformed");
            }
            return parse(parts[index], "/proc/loadavg");
        };
    }

    /** % of memory used (MemTotal - MemAvailable). */
    ValueReader memory() {
        Path file = root.resolve("proc/meminfo");
        return () -> {
            long total = -1;
            long available = -1;
            for (String line : readText(file).split("\n")) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length >= 2 && parts[0].equals("MemTotal:")) {
                    total = (long) parse(parts[1], "/proc/meminfo");
                } else if (parts.length >= 2 && parts[0].equals("MemAvailable:")) {
                    available = (long) parse(parts[1], "/proc/meminfo");
                }
            }
            if (total <= 0 || available < 0) {
                throw new SensorException("/proc/meminfo lacks MemTotal or MemAvailable");
            }
            return Math.round((total - available) * 10_000.0 / total) / 100.0;
        };
    }

    /** % used of the file system at {@code path} (default "/"), via statvfs. */
    ValueReader disk(SensorSpec spec) {
        Path mount = root.resolve(string(spec, "path", "/").replaceFirst("^/", ""));
        return () -> {
            try {
                FileStore store = Files.getFileStore(mount); // statvfs(3)
                long total = store.getTotalSpace();
                if (total <= 0) {
                    throw new SensorException("statvfs reports no space for " + mount);
                }
                long free = store.getUnallocatedSpace();
                return Math.round((total - free) * 10_000.0 / total) / 100.0;
            } catch (IOException e) {
                throw new SensorException("statvfs " + mount + " failed: " + e.getMessage());
            }
        };
    }

    /** A counter of {@code interface} in /proc/net/dev: column 0 = received bytes, 8 = transmitted bytes. */
    ValueReader net(SensorSpec spec, int column) {
        String iface = string(spec, "interface", null);
        Path file = root.resolve("proc/net/dev");
        return () -> {
            for (String line : readText(file).split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equals(iface)) {
                    String[] fields = line.substring(colon + 1).strip().split("\\s+");
                    if (fields.length > column) {
                        return parse(fields[column], "/proc/net/dev");
                    }
                }
            }
            throw new SensorException("interface " + iface + " not in /proc/net/dev");
        };
    }
}
