package io.tributary.mqtt;

/**
 * The gateway's answer to one QoS 1 publish (on MQTT 3.1.1, reason code 0 for success). What it means for the batch:
 * {@link #kind()}.
 *
 * @param reasonCode   the MQTT 5 PUBACK reason code (0x00-0x7F success, 0x80+ refusal)
 * @param reasonString the MQTT 5 Reason String the gateway gave (why it refused), or null
 */
public record PubAck(int reasonCode, String reasonString) {

    public static final PubAck SUCCESS = new PubAck(0, null);

    public PubAck {
        if (reasonCode < 0 || reasonCode > 0xFF) {
            throw new IllegalArgumentException("a reason code is one byte, got " + reasonCode);
        }
    }

    /** An answer without a Reason String. */
    public static PubAck of(int reasonCode) {
        return reasonCode == 0 ? SUCCESS : new PubAck(reasonCode, null);
    }

    public ReasonCodes.Kind kind() {
        return ReasonCodes.classify(reasonCode);
    }

    /** For logs: {@code 0x99 payload format invalid: <reason string>}; the reason string is cut and sanitised. */
    public String describe() {
        String text = ReasonCodes.describe(reasonCode);
        return reasonString == null || reasonString.isEmpty() ? text
                : text + ": " + ReasonCodes.printable(reasonString, 200);
    }

    @Override
    public String toString() {
        return describe();
    }
}
