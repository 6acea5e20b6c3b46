package io.tributary.simulator.transport;

/**
 * The gateway's answer to one QoS 1 publish: the PUBACK reason code (MQTT 5; 0 on MQTT 3.1.1 success).
 */
public record PublishOutcome(int reasonCode) {

    public static final PublishOutcome SUCCESS = new PublishOutcome(0);

    /** The gateway took the batch: Kafka has it. */
    public boolean accepted() {
        return reasonCode < 0x80;
    }

    /**
     * The gateway refused the batch for what it is, not for a passing condition: publishing it again cannot help.
     * 0x87 not authorized, 0x90 topic name invalid, 0x95 packet too large, 0x99 payload format invalid.
     */
    public boolean permanentlyRejected() {
        return reasonCode == 0x87 || reasonCode == 0x90 || reasonCode == 0x95 || reasonCode == 0x99;
    }

    @Override
    public String toString() {
        return String.format("PUBACK 0x%02x", reasonCode);
    }
}
