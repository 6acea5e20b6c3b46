package io.tributary.gateway.registry;

import io.tributary.gateway.routing.DeviceIds;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * One device in the registry: the value of its record on the compacted {@code {prefix}devices} topic (key = device id,
 * value = this as JSON; a tombstone removes the device).
 *
 * @param deviceId the device id (MQTT user name)
 * @param enabled whether the device may connect
 * @param credentials the salted hash of its secret
 * @param updated when this record was written
 */
public record DeviceRecord(String deviceId, boolean enabled, DeviceCredentials credentials, Instant updated) {

    public DeviceRecord {
        if (!DeviceIds.isValid(deviceId)) {
            throw new IllegalArgumentException("invalid device id '" + deviceId + "': use 1..128 of"
                    + " [A-Za-z0-9._:@-]");
        }
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(updated, "updated");
    }

    /** This record with another enabled flag and update time. */
    public DeviceRecord withEnabled(boolean value, Instant now) {
        return new DeviceRecord(deviceId, value, credentials, now);
    }

    /** The JSON bytes written to Kafka. */
    public byte[] toJson() {
        Base64.Encoder b64 = Base64.getEncoder();
        JsonObject json = new JsonObject()
                .put("device", deviceId)
                .put("enabled", enabled)
                .put("algorithm", credentials.algorithm())
                .put("iterations", credentials.iterations())
                .put("salt", b64.encodeToString(credentials.salt()))
                .put("hash", b64.encodeToString(credentials.hash()))
                .put("updated", updated.toString());
        return json.encode().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a record value.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static DeviceRecord fromJson(String key, byte[] value) {
        try {
            JsonObject json = new JsonObject(new String(value, StandardCharsets.UTF_8));
            String id = json.getString("device");
            if (!Objects.equals(id, key)) {
                throw new IllegalArgumentException("record key '" + key + "' differs from device '" + id + "'");
            }
            Base64.Decoder b64 = Base64.getDecoder();
            DeviceCredentials credentials = new DeviceCredentials(json.getString("algorithm"),
                    json.getInteger("iterations"), b64.decode(json.getString("salt")),
                    b64.decode(json.getString("hash")));
            return new DeviceRecord(id, json.getBoolean("enabled"), credentials,
                    Instant.parse(json.getString("updated")));
        } catch (DecodeException | ClassCastException | NullPointerException | java.time.DateTimeException e) {
            throw new IllegalArgumentException("unreadable device record for '" + key + "': " + e.getMessage(), e);
        }
    }
}
