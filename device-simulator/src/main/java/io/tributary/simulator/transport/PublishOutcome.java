package io.tributary.simulator.transport;

/**
 * The gateway's answer to one QoS 1 publish: the PUBACK reason code (MQTT 5; 0 on MQTT 3.1.1 success) and the
 * Reason String, if the gateway sent one.
 *
 * <p>The same classification as the edge agent's: below 0x80 accepted; refusals of the batch itself permanent (the
 * batch is never sent again and counts as rejected); everything else, unknown codes included, transient (sent again
 * after a backoff). A wrong "transient" costs re-sends, a wrong "permanent" would lose data.
 */
public record PublishOutcome(int reasonCode, String reasonString) {

    public static final PublishOutcome SUCCESS = new PublishOutcome(0);

    public PublishOutcome(int reasonCode) {
        this(reasonCode, null);
    }

    /** The gateway took the batch: Kafka has it. */
    public boolean accepted() {
        return reasonCode < 0x80;
    }

    /**
     * The gateway refused the batch for what it is, not for a passing condition: publishing it again cannot help.
     * 0x87 not authorized, 0x90 topic name invalid, 0x95 packet too large, 0x99 payload format invalid (our gateway:
     * also a batch that breaks the input contract), 0x9A retain / 0x9B QoS not supported.
     */
    public boolean permanentlyRejected() {
        return switch (reasonCode) {
            case 0x87, 0x90, 0x95, 0x99, 0x9A, 0x9B -> true;
            default -> false;
        };
    }

    /**
     * Refused for now: 0x80 unspecified error (our gateway: Kafka did not take it), 0x97 quota exceeded (throttled or
     * overloaded), 0x83, 0x91 and any code not known as permanent. The device backs off, then sends it again.
     */
    public boolean refusedForNow() {
        return !accepted() && !permanentlyRejected();
    }

    @Override
    public String toString() {
        String text = String.format("PUBACK 0x%02x", reasonCode);
        if (reasonString == null || reasonString.isEmpty()) {
            return text;
        }
        StringBuilder safe = new StringBuilder(text).append(": ");
        for (int i = 0; i < reasonString.length() && i < 200; i++) {
            char c = reasonString.charAt(i);
            safe.append(c < 0x20 || c == 0x7F ? '?' : c); // the gateway's text must not forge log lines
        }
        return reasonString.length() > 200 ? safe.append("...").toString() : safe.toString();
    }
}
