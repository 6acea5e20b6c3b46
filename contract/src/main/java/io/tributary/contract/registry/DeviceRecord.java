package io.tributary.contract.registry;

import io.tributary.common.LogSanitizer;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

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

    /** The JSON bytes written to Kafka (the stored format: see {@link DeviceRecordJson}). */
    public byte[] toJson() {
        return DeviceRecordJson.encode(this);
    }

    /**
     * Parses a record value and checks its credentials against {@code rules}. Never throws anything but
     * {@link InvalidDeviceRecordException}, whatever the bytes: the registry consumer must survive any record.
     *
     * @throws InvalidDeviceRecordException naming what is wrong (without secret material)
     */
    public static DeviceRecord fromJson(String key, byte[] value, CredentialRules rules) {
        String device = LogSanitizer.sanitize(key, DeviceIds.MAX_LENGTH + 8);
        DeviceRecordJson.Fields json;
        try {
            json = DeviceRecordJson.read(value);
        } catch (RuntimeException e) { // not JSON, not an object, a field missing or of the wrong type
            throw new InvalidDeviceRecordException(CredentialRules.Problem.UNREADABLE, "unreadable device record for '"
                    + device + "': " + LogSanitizer.sanitize(e.getMessage()), e);
        }
        String id = json.device();
        if (!Objects.equals(id, key)) {
            throw new InvalidDeviceRecordException(CredentialRules.Problem.UNREADABLE, "record key '" + device
                    + "' differs from device '" + LogSanitizer.sanitize(id, DeviceIds.MAX_LENGTH + 8) + "'", null);
        }
        if (!DeviceIds.isValid(id)) {
            throw new InvalidDeviceRecordException(CredentialRules.Problem.UNREADABLE, "invalid device id '" + device
                    + "'", null);
        }
        // JSON numbers: 2^32 + 1 must not wrap to 1 and 2000.5 must not become 2000.
        if (json.iterations().isEmpty()) {
            throw new InvalidDeviceRecordException(CredentialRules.Problem.ITERATIONS, "iterations of '" + device
                    + "' is not an integer", null);
        }
        byte[] salt = decode(json.salt(), CredentialRules.Problem.SALT, device);
        byte[] hash = decode(json.hash(), CredentialRules.Problem.HASH, device);
        long count = json.iterations().getAsLong();
        Optional<CredentialRules.Violation> violation = rules.check(json.algorithm(), count, salt, hash);
        if (violation.isPresent()) {
            throw new InvalidDeviceRecordException(violation.get().problem(), "device record of '" + device + "': "
                    + LogSanitizer.sanitize(violation.get().detail()), null);
        }
        return new DeviceRecord(id, json.enabled(), new DeviceCredentials(json.algorithm(), (int) count, salt, hash),
                json.updated());
    }

    private static byte[] decode(String base64, CredentialRules.Problem problem, String device) {
        if (base64 == null) {
            throw new InvalidDeviceRecordException(problem, "device record of '" + device + "' has no "
                    + problem.code(), null);
        }
        if (base64.length() > 4 * CredentialRules.MAX_SALT_BYTES) {
            throw new InvalidDeviceRecordException(problem, "device record of '" + device + "': " + problem.code()
                    + " of " + base64.length() + " base64 characters is too long", null);
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidDeviceRecordException(problem, "device record of '" + device + "': " + problem.code()
                    + " is not base64", e);
        }
    }
}
