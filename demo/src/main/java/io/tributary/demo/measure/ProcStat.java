package io.tributary.demo.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from {@code /proc/PID/stat} (user + system, the process's own threads; not its children),
 * because on a shared machine CPU-seconds per component are the figure that holds up.
 */
public final class ProcStat {

    /** Clock ticks per second of {@code utime}/{@code stime}: USER_HZ, 100 on every mainstream Linux build. */
    static final long USER_HZ = 100;

    private ProcStat() {
    }

    /** CPU seconds used so far by {@code pid}; NaN if the process is gone or this is not Linux. */
    public static double cpuSeconds(long pid) {
        try {
            return parseCpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), USER_HZ);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * utime + stime of one {@code /proc/PID/stat} line in seconds. The command name (field 2) is in parentheses and may
     * itself contain spaces or parentheses, so fields are counted from the last ')'.
     */
    static double parseCpuSeconds(String statLine, long ticksPerSecond) {
        int end = statLine.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine);
        }
        String[] fields = statLine.substring(end + 1).strip().split("\\s+");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        if (fields.length < 13) {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat line: " + statLine);
        }
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / (double) ticksPerSecond;
    }
}
