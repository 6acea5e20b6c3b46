package io.tributary.agent;

import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.sensor.SensorSpec;
import io.tributary.common.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's health on {@code devices/ID/status}: birth ("online" with the outbox, the drops, the pushed config's
 * outcome and each sensor's state) and the last will ("offline"). Written with {@link Json} (no JSON library on the
 * device).
 */
record StatusMessage(String deviceId, DiskOutbox outbox, Sampler sampler) {

    byte[] render(String state) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("device", deviceId);
        status.put("state", state);
        if (state.equals("online")) {
            status.put("time_unix_nanos", Sampler.nowUnixNanos());
            status.put("outbox_batches", outbox.pendingCount());
            status.put("outbox_bytes", outbox.sizeBytes());
            status.put("dropped_readings_total", outbox.droppedReadingsTotal());
            status.put("dropped_readings_unreported", outbox.droppedReadings());
            status.put("config", sampler.lastConfigResult());
            Map<String, String> sensors = new LinkedHashMap<>();
            for (SensorSpec spec : sampler.sensors()) {
                String problem = sampler.problemOf(spec.name());
                sensors.put(spec.name(), !spec.enabled() ? "off" : problem == null ? "ok" : "failing: " + problem);
            }
            status.put("sensors", sensors);
        }
        return Json.write(status).getBytes(StandardCharsets.UTF_8);
    }
}
