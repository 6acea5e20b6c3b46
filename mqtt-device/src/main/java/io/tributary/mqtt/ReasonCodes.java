package io.tributary.mqtt;

/**
 * What an MQTT 5 reason code means for a device that keeps its data until the gateway took it.
 *
 * <ul>
 *   <li><b>Accepted</b> (below 0x80): the gateway has the batch; it leaves the outbox.</li>
 *   <li><b>Permanent</b>: the gateway refused the batch for what it is (0x99 payload format invalid, which our gateway
 *       also answers for a batch that breaks the input contract; 0x87 not authorized; 0x90 topic name invalid; 0x95
 *       packet too large; 0x9A/0x9B/0x9E/0xA2 features this publish uses and the gateway does not support). Sending it
 *       again cannot succeed: the batch is dropped and counted.</li>
 *   <li><b>Transient</b>: anything else, chiefly 0x80 unspecified error (our gateway: Kafka did not take it, retry
 *       later), 0x97 quota exceeded (throttled or overloaded), 0x83 implementation specific error, 0x91 packet
 *       identifier in use, and every code this table does not know. The batch stays and is sent again after a backoff.
 *       Unknown codes count as transient on purpose: a wrong "transient" costs a few re-sends, a wrong "permanent"
 *       loses data.</li>
 * </ul>
 * The same classification applies to CONNACK codes for the logs: a refused connection is always retried with backoff
 * (the data stays in the outbox), but 0x86 bad user name or password and 0x87 not authorized need an operator.
 */
public final class ReasonCodes {

    /** What to do with a batch after this answer. */
    public enum Kind {
        /** Stored by the gateway: remove from the outbox. */
        ACCEPTED,
        /** Will never be accepted: drop from the outbox, count as dropped readings, log once, never re-send. */
        PERMANENT,
        /** Not now: keep, back off, send again. */
        TRANSIENT
    }

    private ReasonCodes() {
    }

    public static Kind classify(int reasonCode) {
        if (reasonCode < 0x80) {
            return Kind.ACCEPTED;
        }
        return switch (reasonCode) {
            case 0x87, 0x90, 0x95, 0x99, 0x9A, 0x9B, 0x9E, 0xA2 -> Kind.PERMANENT;
            default -> Kind.TRANSIENT;
        };
    }

    /** True for the CONNACK codes that mean "try later" (0x88 server unavailable, 0x89 server busy, 0x97 quota
     * exceeded, 0x9F connection rate exceeded) rather than "this device's credentials or config are wrong". */
    public static boolean connectRefusalIsLoad(int reasonCode) {
        return reasonCode == 0x88 || reasonCode == 0x89 || reasonCode == 0x97 || reasonCode == 0x9F;
    }

    /** {@code 0x99 payload format invalid}. */
    public static String describe(int reasonCode) {
        String name = switch (reasonCode) {
            case 0x00 -> "success";
            case 0x10 -> "no matching subscribers";
            case 0x80 -> "unspecified error";
            case 0x83 -> "implementation specific error";
            case 0x84 -> "unsupported protocol version";
            case 0x85 -> "client identifier not valid";
            case 0x86 -> "bad user name or password";
            case 0x87 -> "not authorized";
            case 0x88 -> "server unavailable";
            case 0x89 -> "server busy";
            case 0x8A -> "banned";
            case 0x8E -> "session taken over";
            case 0x90 -> "topic name invalid";
            case 0x91 -> "packet identifier in use";
            case 0x95 -> "packet too large";
            case 0x97 -> "quota exceeded";
            case 0x99 -> "payload format invalid";
            case 0x9A -> "retain not supported";
            case 0x9B -> "QoS not supported";
            case 0x9E -> "shared subscriptions not supported";
            case 0x9F -> "connection rate exceeded";
            case 0xA2 -> "wildcard subscriptions not supported";
            default -> "reason code";
        };
        return String.format("0x%02x %s", reasonCode, name);
    }

    /**
     * A gateway's text made safe for one log line: control characters become '?', and it is cut to {@code max}
     * characters. The gateway is trusted less than our own log format.
     */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 3);
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return text.length() > max ? out.append("...").toString() : out.toString();
    }
}
