package io.tributary.contract.registry;

import java.util.regex.Pattern;

/** What a device id may look like: it becomes an MQTT topic level, a Kafka key and an InfluxDB tag value. */
public final class DeviceIds {

    public static final int MAX_LENGTH = 128;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_LENGTH + "}");

    private DeviceIds() {
    }

    /**
     * Whether {@code id} is a usable device id: 1 to 128 of letters, digits, {@code . _ : @ -}; so never an MQTT
     * wildcard, a topic separator, whitespace or a control character.
     */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }
}
