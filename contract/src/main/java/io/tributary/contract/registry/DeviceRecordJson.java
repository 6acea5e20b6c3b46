package io.tributary.contract.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The stored format of a {@link DeviceRecord}, one compact JSON object in this field order:
 * {@code {"device":"d-1","enabled":true,"algorithm":"PBKDF2WithHmacSHA256","iterations":2000,"salt":"<base64>",
 * "hash":"<base64>","updated":"<ISO-8601 instant>"}}. Records written before this codec existed (by Vert.x's
 * {@code JsonObject}) are byte for byte the same, and it reads what that one read: comments allowed, trailing tokens
 * refused, the last of duplicate keys wins, a non-string where text is expected read as its text.
 */
final class DeviceRecordJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * The fields as read, before any rule is checked.
     *
     * @param iterations empty when the value is not a JSON integer that fits a long
     */
    record Fields(String device, boolean enabled, Instant updated, String algorithm, OptionalLong iterations,
            String salt, String hash) {
    }

    private DeviceRecordJson() {
    }

    static byte[] encode(DeviceRecord record) {
        Base64.Encoder b64 = Base64.getEncoder();
        DeviceCredentials credentials = record.credentials();
        ObjectNode json = MAPPER.createObjectNode()
                .put("device", record.deviceId())
                .put("enabled", record.enabled())
                .put("algorithm", credentials.algorithm())
                .put("iterations", credentials.iterations())
                .put("salt", b64.encodeToString(credentials.salt()))
                .put("hash", b64.encodeToString(credentials.hash()))
                .put("updated", record.updated().toString());
        return json.toString().getBytes(StandardCharsets.UTF_8); // Jackson's default settings: compact JSON
    }

    /**
     * @throws IllegalArgumentException when the bytes are not a JSON object with a boolean {@code enabled} and an
     *     ISO-8601 {@code updated} (the other fields are checked by the caller)
     */
    static Fields read(byte[] value) {
        JsonNode root;
        try {
            root = MAPPER.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode enabled = root.get("enabled");
        if (enabled == null || enabled.isNull()) {
            throw new IllegalArgumentException("no 'enabled'");
        }
        if (!enabled.isBoolean()) {
            throw new IllegalArgumentException("'enabled' is not a boolean");
        }
        Instant updated = Instant.parse(Objects.requireNonNull(text(root, "updated"), "no 'updated'"));
        JsonNode iterations = root.get("iterations");
        OptionalLong count = iterations != null && (iterations.isInt() || iterations.isLong())
                ? OptionalLong.of(iterations.longValue()) : OptionalLong.empty();
        return new Fields(text(root, "device"), enabled.booleanValue(), updated, text(root, "algorithm"), count,
                text(root, "salt"), text(root, "hash"));
    }

    /** The field as text, null when missing or JSON null; a number or object as its JSON text. */
    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isTextual() ? node.textValue() : node.isValueNode() ? node.asText() : node.toString();
    }
}
