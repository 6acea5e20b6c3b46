package io.tributary.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from Linux's {@code /proc/PID/stat} (user + system, of the process's own threads, not its
 * children): on a shared machine, CPU-seconds per component are the figure that holds up.
 */
public final class ProcessCpu {

    /** Clock ticks per second of {@code utime}/{@code stime}: USER_HZ, 100 on every mainstream Linux build. */
    public static final long USER_HZ = 100;

    private ProcessCpu() {
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
     * utime + stime of one {@code /proc/PID/stat} line, in seconds. The command name (field 2) is in parentheses and may
     * itself hold spaces or parentheses, so fields are counted from the last ')'.
     *
     * @throws IllegalArgumentException naming the line when it is not a stat line
     */
    public static double parseCpuSeconds(String statLine, long ticksPerSecond) {
        int end = statLine.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine);
        }
        String[] fields = statLine.substring(end + 1).strip().split("\\s+");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        if (fields.length < 13) {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat line: " + statLine);
        }
        try {
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) ticksPerSecond;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("utime or stime is not a number in /proc/PID/stat line: " + statLine, e);
        }
    }
}
