package io.tributary.mqtt;

import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A QoS 1 publish over Eclipse Paho's MQTT 5 async client that completes with the gateway's PUBACK. */
public final class PahoQos1 {

    /**
     * One listener for every publish: each publish's future travels as its token's user context, so a publish allocates
     * no listener (the simulator drives 100k publishes a second through here).
     */
    private static final MqttActionListener SETTLE = new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            // Paho may complete a PUBACK with a refusal code as a success: the code tells.
            int[] codes = token.getReasonCodes();
            int code = codes == null || codes.length == 0 ? 0 : codes[0];
            future(token).complete(code == 0 ? PubAck.SUCCESS : new PubAck(code, reasonString(token)));
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
            if (cause instanceof MqttException e && e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xFF) {
                future(token).complete(new PubAck(e.getReasonCode(), reasonString(token))); // a PUBACK refusal
            } else {
                future(token).completeExceptionally(cause);
            }
        }
    };

    private PahoQos1() {
    }

    /**
     * Publishes {@code payload} with QoS 1, not retained. Completes with the PUBACK (reason code 0x00-0x7F success,
     * 0x80+ refusal, and the Reason String if the gateway sent one), or exceptionally when no PUBACK came (not
     * connected, connection lost, client error). No timeout of its own: an unanswered publish ends with its connection.
     */
    public static CompletableFuture<PubAck> publish(MqttAsyncClient client, String topic, byte[] payload) {
        CompletableFuture<PubAck> result = new CompletableFuture<>();
        try {
            client.publish(topic, payload, 1, false, result, SETTLE);
        } catch (MqttException | RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<PubAck> future(IMqttToken token) {
        return (CompletableFuture<PubAck>) token.getUserContext();
    }

    /** The Reason String of the PUBACK behind {@code token}, or null. */
    private static String reasonString(IMqttToken token) {
        try {
            MqttProperties properties = token.getResponseProperties();
            return properties == null ? null : properties.getReasonString();
        } catch (RuntimeException e) {
            return null; // a token without a response: no reason string
        }
    }
}
