package io.tributary.simulator.ledger;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * What the fleet created and what the gateway acknowledged, per device: the reference the verifier holds storage against.
 * Thread-safe.
 */
public final class LossLedger {

    private final Map<String, DeviceLedger> devices = new ConcurrentHashMap<>();

    /** The ledger of a device of profile {@code profile} with sensors {@code sensors}. */
    public DeviceLedger device(String deviceId, String profile, List<String> sensors) {
        return devices.computeIfAbsent(deviceId, id -> new DeviceLedger(id, profile, sensors));
    }

    /** The ledger of {@code deviceId}, created (without profile or sensors) if needed. */
    public DeviceLedger device(String deviceId) {
        return devices.computeIfAbsent(deviceId, id -> new DeviceLedger(id, "", List.of()));
    }

    /** A snapshot of every device's ledger, sorted by device id. */
    public Map<String, DeviceLedger.Snapshot> snapshot() {
        Map<String, DeviceLedger.Snapshot> result = new TreeMap<>();
        devices.forEach((id, ledger) -> result.put(id, ledger.snapshot()));
        return result;
    }

    public Totals totals() {
        List<DeviceLedger.Snapshot> all = devices.values().stream().map(DeviceLedger::snapshot).toList();
        return new Totals(all.size(), sum(all, DeviceLedger.Snapshot::generatedReadings),
                sum(all, DeviceLedger.Snapshot::publishedReadings), sum(all, DeviceLedger.Snapshot::publishedBatches),
                sum(all, DeviceLedger.Snapshot::rejectedReadings), sum(all, DeviceLedger.Snapshot::retries),
                sum(all, DeviceLedger.Snapshot::publishes), sum(all, DeviceLedger.Snapshot::duplicateAcks));
    }

    private static long sum(List<DeviceLedger.Snapshot> all, ToLongFunction<DeviceLedger.Snapshot> field) {
        return all.stream().mapToLong(field).sum();
    }

    /**
     * Fleet-wide sums.
     *
     * @param generatedReadings readings the devices created
     * @param publishedReadings readings in batches the gateway acknowledged with success (each batch once)
     * @param publishedBatches  batches the gateway acknowledged with success (each once)
     * @param rejectedReadings  readings in batches the gateway refused for good (e.g. 0x99)
     * @param retries           publishes repeated after a failure or timeout
     * @param publishes         publishes sent, repeated ones and deliberate duplicates included
     * @param duplicateAcks     acknowledgements of batches acknowledged before
     */
    public record Totals(int devices, long generatedReadings, long publishedReadings, long publishedBatches,
            long rejectedReadings, long retries, long publishes, long duplicateAcks) {

        /** Created but neither acknowledged nor refused yet: still in a device's queue or in flight. */
        public long pendingReadings() {
            return generatedReadings - publishedReadings - rejectedReadings;
        }
    }
}
