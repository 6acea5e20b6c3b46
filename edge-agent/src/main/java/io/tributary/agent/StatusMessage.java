package io.tributary.agent;

import io.tributary.agent.outbox.DiskOutbox;
import io.tributary.agent.sensor.SensorSpec;
import java.nio.charset.StandardCharsets;

/**
 * The agent's health on {@code devices/ID/status}: birth ("online" with the outbox, the drops, the pushed config's
 * outcome and each sensor's state) and the last will ("offline"). JSON, small, hand-written (no JSON library on the
 * device).
 */
final class StatusMessage {

    private final String deviceId;
    private final DiskOutbox outbox;
    private final Sampler sampler;

    StatusMessage(String deviceId, DiskOutbox outbox, Sampler sampler) {
        this.deviceId = deviceId;
        this.outbox = outbox;
        this.sampler = sampler;
    }

    byte[] render(String state) {
        StringBuilder json = new StringBuilder(256).append("{\"device\":\"").append(deviceId)
                .append("\",\"state\":\"").append(state).append('"');
        if (state.equals("online")) {
            json.append(",\"time_unix_nanos\":").append(Sampler.nowUnixNanos())
                    .append(",\"outbox_batches\":").append(outbox.pendingCount())
                    .append(",\"outbox_bytes\":").append(outbox.sizeBytes())
                    .append(",\"dropped_readings_total\":").append(outbox.droppedReadingsTotal())
                    .append(",\"dropped_readings_unreported\":").append(outbox.droppedReadings())
                    .append(",\"config\":\"").append(escape(sampler.lastConfigResult())).append("\",\"sensors\":{");
            boolean first = true;
            for (SensorSpec spec : sampler.sensors()) {
                String problem = sampler.problemOf(spec.name());
                json.append(first ? "" : ",").append('"').append(escape(spec.name())).append("\":\"")
                        .append(!spec.enabled() ? "off" : problem == null ? "ok" : "failing: " + escape(problem))
                        .append('"');
                first = false;
            }
            json.append('}');
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
