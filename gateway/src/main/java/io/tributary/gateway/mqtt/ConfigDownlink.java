package io.tributary.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.registry.DeviceConfigs;
import io.tributary.gateway.routing.PublishRouter;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downlink of one connection: a device may subscribe to its own configuration topic ({@code devices/{id}/config},
 * QoS at most 1) and gets its latest configuration there at once and on every change (retained semantics). Every other
 * filter is refused. Lives on its connection's event loop.
 */
final class ConfigDownlink {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigDownlink.class);

    private final MqttEndpoint endpoint;
    private final String deviceId;
    private final String configTopic;
    private final boolean mqtt5;
    private final DeviceConfigs configs;
    private final GatewayMetrics metrics;
    private final RateLimitedLog deviceEvents;
    /** Whether the connection may write now (open, answers read); checked before each configuration goes out. */
    private final BooleanSupplier writable;

    private boolean subscribed;
    private MqttQoS qos = MqttQoS.AT_MOST_ONCE;

    ConfigDownlink(MqttEndpoint endpoint, String deviceId, boolean mqtt5, DeviceConfigs configs,
            GatewayMetrics metrics, RateLimitedLog deviceEvents, BooleanSupplier writable) {
        this.endpoint = endpoint;
        this.deviceId = deviceId;
        this.configTopic = PublishRouter.DEVICES + "/" + deviceId + "/config";
        this.mqtt5 = mqtt5;
        this.configs = configs;
        this.metrics = metrics;
        this.deviceEvents = deviceEvents;
        this.writable = writable;
    }

    void configChanged(byte[] config) {
        if (subscribed) {
            send(config);
        }
    }

    void onSubscribe(MqttSubscribeMessage message) {
        List<MqttSubAckReasonCode> codes = new ArrayList<>();
        boolean ownGranted = false;
        for (MqttTopicSubscription subscription : message.topicSubscriptions()) {
            if (configTopic.equals(subscription.topicName())) {
                ownGranted = true;
                qos = subscription.qualityOfService() == MqttQoS.AT_MOST_ONCE
                        ? MqttQoS.AT_MOST_ONCE : MqttQoS.AT_LEAST_ONCE;
                codes.add(qos == MqttQoS.AT_MOST_ONCE
                        ? MqttSubAckReasonCode.GRANTED_QOS0 : MqttSubAckReasonCode.GRANTED_QOS1);
            } else {
                metrics.rejected(RejectReason.NOT_AUTHORIZED);
                deviceEvents.log("Subscription refused", deviceId,
                        "may not subscribe to '" + PublishRouter.abbreviate(subscription.topicName()) + "'");
                codes.add(MqttSubAckReasonCode.NOT_AUTHORIZED);
            }
        }
        MqttVersion version = mqtt5 ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1;
        codes.replaceAll(code -> code.limitForMqttVersion(version));
        try {
            endpoint.subscribeAcknowledge(message.messageId(), codes, MqttProperties.NO_PROPERTIES);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Could not acknowledge subscription [device: {}]", deviceId, e);
            return;
        }
        if (ownGranted) {
            subscribed = true;
            // Retained semantics: the latest configuration goes out at once on every subscription.
            configs.configFor(deviceId).ifPresent(this::send);
        }
    }

    void onUnsubscribe(MqttUnsubscribeMessage message) {
        if (message.topics().contains(configTopic)) {
            subscribed = false;
        }
        List<MqttUnsubAckReasonCode> codes = new ArrayList<>();
        if (mqtt5) {
            message.topics().forEach(t -> codes.add(MqttUnsubAckReasonCode.SUCCESS));
        }
        try {
            endpoint.unsubscribeAcknowledge(message.messageId(), codes, MqttProperties.NO_PROPERTIES);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Could not acknowledge unsubscription [device: {}]", deviceId, e);
        }
    }

    private void send(byte[] config) {
        if (!writable.getAsBoolean()) {
            return;
        }
        try {
            endpoint.publish(configTopic, Buffer.buffer(config), qos, false, true)
                    .onSuccess(id -> metrics.count(Counted.CONFIGS_SENT))
                    .onFailure(e -> LOG.debug("Could not send the configuration [device: {}]", deviceId, e));
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Could not send the configuration [device: {}]", deviceId, e);
        }
    }
}
