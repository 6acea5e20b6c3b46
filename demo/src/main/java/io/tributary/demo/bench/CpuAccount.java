package io.tributary.demo.bench;

import io.tributary.common.ProcessCpu;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cumulative CPU seconds per component across the processes that played it (the simulator is a new process per
 * load step). A process's last reading is kept after it exits, so a component's total never goes backwards; the CPU
 * of its final moments between the last reading and its exit is not counted (at most one sampling interval).
 */
final class CpuAccount {

    private final Map<String, Map<Long, Double>> lastSeen = new ConcurrentHashMap<>();

    /** Counts the CPU of {@code pid} towards {@code component} from now on (and what it used before). */
    void register(String component, long pid) {
        lastSeen.computeIfAbsent(component, c -> new ConcurrentHashMap<>()).putIfAbsent(pid, 0.0);
    }

    /** Reads every registered live process and returns cumulative CPU seconds per component, in registration order. */
    synchronized Map<String, Double> snapshot() {
        Map<String, Double> totals = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Long, Double>> component : lastSeen.entrySet()) {
            double total = 0;
            for (Map.Entry<Long, Double> process : component.getValue().entrySet()) {
                double now = ProcessCpu.cpuSeconds(process.getKey());
                if (!Double.isNaN(now) && now >= process.getValue()) {
                    process.setValue(now);
                }
                total += process.getValue();
            }
            totals.put(component.getKey(), total);
        }
        return totals;
    }
}
