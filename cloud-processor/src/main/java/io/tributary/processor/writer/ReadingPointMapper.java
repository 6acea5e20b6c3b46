package io.tributary.processor.writer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.google.protobuf.InvalidProtocolBufferException;

import io.tributary.processor.contract.TelemetryCheck;
import io.tributary.proto.v1.Reading;
import io.tributary.proto.v1.ReadingBatch;

/**
 * Turns one telemetry record (key = device id, value = serialized {@link ReadingBatch}) into InfluxDB points:
 * measurement {@code readings}, tags {@code device} and {@code sensor}, field {@code value} (float), time = the reading's
 * event time in nanoseconds, plus a tag per device label named in {@code enrichment.tags} that the device has. Pure: no
 * I/O, no state (the device's labels come from a lookup function).
 *
 * <p>Whatever cannot be stored faithfully is rejected (dead-lettered) here, with a reason, instead of being written
 * half-right: line protocol has no NaN/Infinity, an empty tag would merge series, and a backslash or control character
 * in a tag value can run into the next tag. ({@link LinePoint} refuses these too, as a last guard.)
 */
public final class ReadingPointMapper {

    public static final String MEASUREMENT = "readings";
    public static final String TAG_DEVICE = "device";
    public static final String TAG_SENSOR = "sensor";
    public static final String FIELD_VALUE = "value";

    private final TelemetryCheck contract;
    private final Clock clock;
    private final List<String> tagKeys;
    private final Function<String, Map<String, String>> labels;

    /** A mapper without the contract re-check (tests, tools). */
    public ReadingPointMapper() {
        this(TelemetryCheck.NONE, Clock.systemUTC());
    }

    /** A batch breaking {@code contract} is rejected whole with the rule as its reason (nothing of it is stored). */
    public ReadingPointMapper(TelemetryCheck contract, Clock clock) {
        this(contract, clock, List.of(), device -> Map.of());
    }

    /** Also tags each point with the device's labels named in {@code tagKeys} ({@code labels}: device → labels). */
    public ReadingPointMapper(TelemetryCheck contract, Clock clock, List<String> tagKeys,
            Function<String, Map<String, String>> labels) {
        this.contract = contract;
        this.clock = clock;
        this.tagKeys = List.copyOf(tagKeys);
        this.labels = labels;
    }

    /** Maps one record; a null value (a tombstone) is rejected. */
    public MappedRecord map(byte[] key, byte[] value) {
        String keyDevice = key == null ? null : new String(key, StandardCharsets.UTF_8);
        String knownDevice = keyDevice == null ? "" : keyDevice;
        if (value == null) {
            return new MappedRecord.Rejected(knownDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID,
                    "record has no value (tombstone)");
        }
        ReadingBatch batch;
        try {
            batch = ReadingBatch.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return new MappedRecord.Rejected(knownDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID,
                    "not a tributary.v1.ReadingBatch: " + e.getMessage());
        }
        String deviceId = batch.getDeviceId();
        if (deviceId.isEmpty()) {
            return new MappedRecord.Rejected(knownDevice, DeadLetterReason.PAYLOAD_FORMAT_INVALID,
                    "ReadingBatch has no device_id");
        }
        if (keyDevice != null && !keyDevice.equals(deviceId)) {
            return new MappedRecord.Rejected(keyDevice, DeadLetterReason.DEVICE_ID_MISMATCH,
                    "record key '" + keyDevice + "' differs from the batch's device_id '" + deviceId + "'");
        }
        String badDevice = tagProblem("device_id", deviceId);
        if (badDevice != null) {
            return new MappedRecord.Rejected(deviceId, DeadLetterReason.READING_INVALID, badDevice);
        }
        Instant now = clock.instant();
        TelemetryCheck.Violation violation = contract.check(batch,
                Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano()));
        if (violation != null) {
            return MappedRecord.Rejected.contract(deviceId, violation.rule(), violation.detail());
        }
        Map<String, String> deviceLabels = tagKeys.isEmpty() ? Map.of() : labels.apply(deviceId);
        List<LinePoint> points = new ArrayList<>(batch.getReadingsCount());
        for (int i = 0; i < batch.getReadingsCount(); i++) {
            Reading reading = batch.getReadings(i);
            String problem = readingProblem(reading);
            if (problem != null) {
                return new MappedRecord.Rejected(deviceId, DeadLetterReason.READING_INVALID,
                        "reading " + i + " (batch_seq " + batch.getBatchSeq() + "): " + problem);
            }
            points.add(labelTags(point(deviceId, reading), tagKeys, deviceLabels).time(
                    reading.getEventTimeUnixNanos()));
        }
        return new MappedRecord.Points(deviceId, points);
    }

    /** The point for one reading of a device; the reading must be valid. */
    static LinePoint toPoint(String deviceId, Reading reading) {
        return point(deviceId, reading).time(reading.getEventTimeUnixNanos());
    }

    private static LinePoint.Builder point(String deviceId, Reading reading) {
        return LinePoint.measurement(MEASUREMENT)
                .tag(TAG_DEVICE, deviceId)
                .tag(TAG_SENSOR, reading.getSensor())
                .floatField(FIELD_VALUE, reading.getValue());
    }

    /**
     * Adds, as tags, the labels named in {@code tagKeys} that {@code labels} has (a device without one gets no such
     * tag). Labels are validated where they are set ({@code DeviceLabels}) and cannot be a tag the point has already.
     */
    static LinePoint.Builder labelTags(LinePoint.Builder point, List<String> tagKeys, Map<String, String> labels) {
        if (!labels.isEmpty()) {
            for (String key : tagKeys) {
                String value = labels.get(key);
                if (value != null) {
                    point.tag(key, value);
                }
            }
        }
        return point;
    }

    private static String readingProblem(Reading reading) {
        String badSensor = tagProblem("sensor", reading.getSensor());
        if (badSensor != null) {
            return badSensor;
        }
        if (!Double.isFinite(reading.getValue())) {
            return "value of sensor '" + reading.getSensor() + "' is " + reading.getValue()
                    + " (InfluxDB stores only finite floats)";
        }
        if (reading.getEventTimeUnixNanos() <= 0) {
            return "event_time_unix_nanos of sensor '" + reading.getSensor() + "' is "
                    + reading.getEventTimeUnixNanos() + " (must be a positive Unix epoch nanosecond timestamp)";
        }
        return null;
    }

    /** Why {@code value} cannot be the tag {@code name}, or null if it can. */
    static String tagProblem(String name, String value) {
        String problem = tagProblem(value);
        return problem == null ? null : name + " " + problem;
    }

    /** Why a string cannot be a tag value, or null if it can. */
    static String tagProblem(String value) {
        if (value.isEmpty()) {
            return "is empty";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "'" + value.replaceAll("\\p{Cntrl}", "?") + "' contains a control character at index " + i;
            }
            if (c == '\\') {
                return "'" + value + "' contains a backslash, which line protocol cannot carry in a tag value";
            }
        }
        return null;
    }
}
