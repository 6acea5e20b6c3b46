package io.tributary.demo;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time used by this JVM and by its child processes (the local stack's influxd): on a shared, noisy machine
 * CPU-seconds per reading say more than wall-clock rates.
 */
final class CpuClock {

    private CpuClock() {
    }

    /** CPU time of this JVM so far, in nanoseconds; -1 if the platform does not tell. */
    static long jvmNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            return hotspot.getProcessCpuTime();
        }
        return -1;
    }

    /** CPU time of every live child process so far, in nanoseconds. */
    static long childrenNanos() {
        return ProcessHandle.current().descendants()
                .map(child -> child.info().totalCpuDuration().orElse(Duration.ZERO))
                .mapToLong(Duration::toNanos)
                .sum();
    }
}
