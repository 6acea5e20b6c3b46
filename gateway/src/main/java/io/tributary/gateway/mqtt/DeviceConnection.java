package io.tributary.gateway.mqtt;

import io.tributary.gateway.routing.PublishRouter;
import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.GatewayMetrics.Counted;
import io.tributary.gateway.GatewayMetrics.Level;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.auth.DeviceIdentity;
import io.tributary.gateway.outbound.OutboundRecord;
import io.tributary.gateway.outbound.TelemetrySink;
import io.tributary.gateway.registry.DeviceConfigs;
import io.tributary.gateway.validation.TelemetryValidator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted device connection. Lives on the event loop of the verticle that accepted it: every method runs there,
 * Kafka outcomes included ({@link TelemetrySink} completes on the caller's context), so nothing here is shared.
 *
 * <p>Each QoS 1 PUBLISH gets a slot in an {@link AckQueue}; its answer (PUBACK success only after Kafka acknowledged,
 * or a reason code) is written when all earlier publishes of this connection have theirs, and only while the device is
 * still connected. Every PUBLISH is charged to the device's {@link PublishQuota} (shared with its later connections);
 * a connection whose answers pile up unread is closed; a newer connection of the same device ends this one.
 */
final class DeviceConnection {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceConnection.class);

    private final MqttEndpoint endpoint;
    private final String deviceId;
    private final boolean mqtt5;
    private final boolean reasonStringsOnPubAck;
    private final MqttListenerSettings settings;
    private final PublishForwarder forwarder;
    private final ConfigDownlink downlink;
    private final ConnectionReporter reporter;
    private final ReadingPause readingPause;
    private final GatewayMetrics metrics;
    private final RateLimitedLog deviceEvents;
    private final BooleanSupplier draining;
    private final Consumer<DeviceConnection> onClosed;
    private final AckQueue<AckOutcome> acks = new AckQueue<>();
    private final ConnectionEnd end;

    /** A fatal answer is queued: later publishes are ignored, the connection ends when the queue reaches it. */
    private boolean closing;

    private final NetSocket socket;
    private final Context context;

    /** The Netty channel under {@link #socket}: how much is unread is asked there. */
    private final Channel channel;
    /** This device's publish quota, shared with its other connections; null when off. */
    private PublishQuota quota;

    DeviceConnection(MqttEndpoint endpoint, DeviceIdentity identity, MqttListenerSettings settings, TelemetrySink sink,
            TelemetryValidator validator, GatewayMetrics metrics, RateLimitedLog deviceEvents,
            BooleanSupplier draining, Consumer<DeviceConnection> onClosed, DeviceConfigs configs) {
        this.endpoint = endpoint;
        this.deviceId = identity.deviceId();
        this.mqtt5 = endpoint.protocolVersion() >= MqttVersion.MQTT_5.protocolLevel();
        this.reasonStringsOnPubAck = mqtt5 && Connacks.problemInformationRequested(endpoint.connectProperties());
        this.settings = settings;
        this.metrics = metrics;
        this.deviceEvents = deviceEvents;
        this.draining = draining;
        this.onClosed = onClosed;
        this.socket = EndpointSockets.socketOf(endpoint);
        this.channel = EndpointSockets.channelOf(socket);
        this.context = Vertx.currentContext();
        this.end = new ConnectionEnd(endpoint, deviceId, mqtt5, channel);
        this.forwarder = new PublishForwarder(deviceId, sink, validator, metrics, deviceEvents);
        this.downlink = new ConfigDownlink(endpoint, deviceId, mqtt5, configs, metrics, deviceEvents,
                () -> !end.isClosed() && endpoint.isConnected() && !closedForUnreadAnswers());
        this.reporter = new ConnectionReporter(deviceId, settings, sink, validator, metrics, deviceEvents);
        this.readingPause = new ReadingPause(socket, context, sink, metrics, deviceId);
    }

    String deviceId() {
        return deviceId;
    }

    /** The event loop this connection lives on: other threads hop onto it with {@code runOnContext}. */
    Context context() {
        return context;
    }

    String remoteAddress() {
        return String.valueOf(endpoint.remoteAddress());
    }

    void useQuota(PublishQuota deviceQuota) {
        this.quota = deviceQuota;
    }

    /**
     * Ends the connection: a newer one with the same device id took the session over (MQTT 5: DISCONNECT 0x8E). Answers
     * still waiting for Kafka are dropped; the device re-sends on its new connection. Call on {@link #context()}.
     */
    void takeOver(String newRemote) {
        if (end.isClosed()) {
            return;
        }
        closing = true;
        LOG.debug("Session taken over [device: {}, old: {}, new: {}]", deviceId, endpoint.remoteAddress(), newRemote);
        end.disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER, "session taken over by a new connection");
    }

    /** Installs the handlers and sends CONNACK (MQTT 5: with the server's limits). */
    void accept() {
        // Netty's high-water mark: beyond it the socket counts as not writable and the connection is closed
        socket.setWriteQueueMaxSize(settings.limits().maxUnreadBytesPerConnection());
        endpoint.publishAutoAck(false);
        endpoint.subscriptionAutoAck(false);
        endpoint.publishHandler(this::onPublish);
        endpoint.subscribeHandler(downlink::onSubscribe);
        endpoint.unsubscribeHandler(downlink::onUnsubscribe);
        endpoint.disconnectMessageHandler(end::onDisconnectMessage);
        endpoint.exceptionHandler(this::onException);
        endpoint.closeHandler(v -> onClose());
        if (mqtt5) {
            endpoint.accept(false, Connacks.properties(settings, endpoint.clientIdentifier(), deviceId));
        } else {
            endpoint.accept(false);
        }
        metrics.count(Counted.CONNECTIONS_ACCEPTED);
        metrics.add(Level.CONNECTIONS_OPEN, 1);
        reporter.event(OutboundRecord.Event.CONNECTED, "protocol " + endpoint.protocolVersion());
        LOG.debug("Device connected [device: {}, protocol: {}, remote: {}]", deviceId, endpoint.protocolVersion(),
                endpoint.remoteAddress());
    }

    /** Ends the connection because the gateway shuts down (MQTT 5: DISCONNECT 0x8B). */
    void shutDown() {
        end.disconnect(MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN, "server shutting down");
    }

    /** Ends the connection because the device may no longer connect (MQTT 5: DISCONNECT 0x87 not authorized). */
    void revoke(String reason) {
        closing = true;
        deviceEvents.log("Connection ended: device revoked", deviceId, reason);
        end.disconnect(MqttDisconnectReasonCode.NOT_AUTHORIZED, reason);
    }

    void configChanged(byte[] config) {
        if (!end.isClosed()) {
            downlink.configChanged(config);
        }
    }

    private void onPublish(MqttPublishMessage message) {
        metrics.count(Counted.PUBLISHES_RECEIVED);
        try {
            handlePublish(message);
            readingPause.pauseIfCongested();
        } catch (RuntimeException e) {
            // A bug must not leave the device waiting for an answer that never comes.
            LOG.error("Failed to handle a publish, closing the connection [device: {}]", deviceId, e);
            closing = true;
            end.disconnect(MqttDisconnectReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "internal error");
        }
    }

    private void handlePublish(MqttPublishMessage message) {
        if (closing || end.isClosed()) {
            return;
        }
        if (draining.getAsBoolean()) {
            // Neither forwarded nor acknowledged: the device keeps it and re-sends after reconnecting.
            return;
        }
        String topic = message.topicName();
        if (message.qosLevel() == MqttQoS.EXACTLY_ONCE) {
            fatal(RejectReason.QOS_NOT_SUPPORTED, "QoS 2 is not supported (maximum QoS is 1) on '"
                    + PublishRouter.abbreviate(topic) + "'");
            return;
        }
        boolean qos1 = message.qosLevel() == MqttQoS.AT_LEAST_ONCE;
        if (qos1 && acks.size() >= settings.maxInFlightPerConnection()) {
            fatal(RejectReason.RECEIVE_MAXIMUM_EXCEEDED, "more than " + settings.maxInFlightPerConnection()
                    + " unacknowledged QoS 1 publishes");
            return;
        }
        AckQueue.Slot<AckOutcome> slot = qos1 ? acks.add(message.messageId()) : null;
        if (quota != null) {
            String exceeded = quota.tryAcquire(message.payload().length(), System.nanoTime());
            if (exceeded != null) {
                if (slot == null) {
                    // QoS 0 has no answer: dropped, counted
                    metrics.count(Counted.QUOTA_DROPPED_QOS0);
                } else if (!mqtt5) {
                    // 3.1.1 ends the connection with this answer: take nothing more from it meanwhile
                    closing = true;
                }
                answer(slot, forwarder.reject(RejectReason.DEVICE_QUOTA_EXCEEDED, exceeded));
                return;
            }
        }
        forwarder.forward(topic, message.payload().getBytes(), outcome -> answer(slot, outcome));
    }

    /** A violation that ends the connection once the answers queued before it are out. */
    private void fatal(RejectReason reason, String detail) {
        metrics.rejected(reason);
        deviceEvents.log("Connection ended: " + reason.code(), deviceId, detail);
        closing = true;
        answer(acks.add(0), AckOutcome.rejected(reason, detail));
    }

    private void answer(AckQueue.Slot<AckOutcome> slot, AckOutcome outcome) {
        if (slot == null || end.isClosed()) {
            return; // QoS 0 has no answer; a closed connection cannot get one
        }
        for (AckQueue.Slot<AckOutcome> ready : acks.complete(slot, outcome)) {
            if (end.isClosed() || !endpoint.isConnected()) {
                acks.clear();
                return;
            }
            if (!write(ready.packetId(), ready.outcome())) {
                acks.clear();
                return;
            }
        }
    }

    /** Writes one answer; returns false when the connection ends with it. */
    private boolean write(int packetId, AckOutcome outcome) {
        if (outcome instanceof AckOutcome.Disconnect) {
            AckOutcome.Disconnect disconnect = (AckOutcome.Disconnect) outcome;
            end.disconnect(disconnect.code(), disconnect.reason());
            return false;
        }
        AckOutcome.PubAck ack = (AckOutcome.PubAck) outcome;
        if (closedForUnreadAnswers()) {
            return false;
        }
        try {
            if (mqtt5) {
                endpoint.publishAcknowledge(packetId, ack.code(),
                        AckOutcome.reasonProperties(ack.reason(), reasonStringsOnPubAck));
                return true;
            }
            if (ack.code() == MqttPubAckReasonCode.SUCCESS) {
                endpoint.publishAcknowledge(packetId);
                return true;
            }
            if (ack.deadLettered()) {
                // Refused for good and kept on the dead-letter topic: closing would make the device re-send it at
                // every reconnect, each time dead-lettered again. PUBACK ends it (counted by reason already).
                // before the write: whoever sees the PUBACK sees the count
                metrics.count(Counted.DEADLETTERS_ACKNOWLEDGED);
                endpoint.publishAcknowledge(packetId);
                return true;
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Could not acknowledge, connection gone [device: {}]", deviceId, e);
            return false;
        }
        // MQTT 3.1.1 has no negative PUBACK: closing tells the device the publish was not taken.
        end.closeQuietly();
        return false;
    }

    /**
     * Closes the connection if its answers pile up unread (the device does not read its socket; more answers would sit
     * in our memory); the bound is Netty's high-water mark, set in {@link #accept()}. Whether it closed it.
     */
    private boolean closedForUnreadAnswers() {
        if (channel.isWritable() && !socket.writeQueueFull()) {
            return false;
        }
        if (!closing) {
            metrics.count(Counted.UNREAD_ANSWERS_CLOSED);
            deviceEvents.log("Connection ended: answers not read", deviceId, "more than "
                    + settings.limits().maxUnreadBytesPerConnection() + " bytes of answers unread");
        }
        closing = true;
        acks.clear();
        end.cutOff();
        return true;
    }

    private void onException(Throwable error) {
        Throwable cause = error instanceof DecoderException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TooLongFrameException) {
            fatal(RejectReason.PACKET_TOO_LARGE, "packet larger than the maximum of " + settings.maxPacketBytes()
                    + " bytes");
        } else if (error instanceof DecoderException) {
            fatal(RejectReason.MALFORMED_PACKET, "undecodable packet: " + cause.getMessage());
        } else if (error instanceof IOException) {
            LOG.debug("Connection error [device: {}]: {}", deviceId, error.toString());
        } else {
            deviceEvents.log("Connection error", deviceId, error.toString());
        }
    }

    private void onClose() {
        if (!end.markClosed()) {
            return;
        }
        acks.clear();
        readingPause.closed();
        metrics.add(Level.CONNECTIONS_OPEN, -1);
        LOG.debug("Device disconnected [device: {}]", deviceId);
        end.report(reporter);
        onClosed.accept(this);
    }
}
