package io.tributary.gateway.mqtt;

import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.tributary.gateway.GatewayMetrics;
import io.tributary.gateway.RejectReason;
import io.tributary.gateway.auth.DeviceIdentity;
import io.tributary.gateway.outbound.OutboundRecord;
import io.tributary.gateway.outbound.SendFailure;
import io.tributary.gateway.outbound.TelemetrySink;
import io.tributary.gateway.registry.DeviceConfigs;
import io.tributary.gateway.routing.PublishRoute;
import io.tributary.gateway.routing.PublishRouter;
import io.tributary.gateway.validation.TelemetryValidator;
import io.tributary.gateway.validation.ValidationResult;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
 * still connected.
 *
 * <p>Backpressure: when the sender reports {@link TelemetrySink#congested() congestion} after a publish, the connection
 * stops reading its socket (the device's writes then stall in TCP) until the sender has drained; see
 * {@link EndpointSockets}.
 *
 * <p>Fairness: every PUBLISH is charged to the device's {@link PublishQuota} (shared with any later connection of the
 * same device id); a connection whose answers pile up unread (above
 * {@link io.tributary.gateway.DeviceLimits#maxUnreadBytesPerConnection()}) is closed; a newer connection of the same
 * device ends this one ({@link #takeOver}).
 */
final class DeviceConnection {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceConnection.class);

    private final MqttEndpoint endpoint;
    private final String deviceId;
    /** This device's telemetry topic and route: nearly every PUBLISH, so routed without parsing the topic. */
    private final String telemetryTopic;
    private final PublishRoute telemetryRoute;
    private final boolean mqtt5;
    private final boolean reasonStringsOnPubAck;
    private final MqttListenerSettings settings;
    private final TelemetrySink sink;
    private final TelemetryValidator validator;
    private final GatewayMetrics metrics;
    private final RateLimitedLog deviceEvents;
    private final BooleanSupplier draining;
    private final Consumer<DeviceConnection> onClosed;
    private final AckQueue<AckOutcome> acks = new AckQueue<>();
    private final DeviceConfigs configs;

    /** The device holds a subscription to its own configuration topic. */
    private boolean configSubscribed;
    private MqttQoS configQos = MqttQoS.AT_MOST_ONCE;
    /** The gateway ended the connection (shutdown, device disabled, violation). */
    private boolean endedByGateway;

    /** A fatal answer is queued: later publishes are ignored, the connection ends when the queue reaches it. */
    private boolean closing;
    private boolean closed;
    /** The device ended the session with a normal DISCONNECT: its will is discarded. */
    private boolean willDiscarded;

    /** The socket under the endpoint, paused while Kafka does not keep up. */
    private final NetSocket socket;
    /** The event loop this connection lives on; resuming hops back to it. */
    private final Context context;
    private boolean readingPaused;

    /** The Netty channel under {@link #socket}: how much is unread is asked there. */
    private final Channel channel;
    /** This device's publish quota, shared with its other connections; null when off. */
    private PublishQuota quota;

    DeviceConnection(MqttEndpoint endpoint, DeviceIdentity identity, MqttListenerSettings settings, TelemetrySink sink,
            TelemetryValidator validator, GatewayMetrics metrics, RateLimitedLog deviceEvents,
            BooleanSupplier draining, Consumer<DeviceConnection> onClosed, DeviceConfigs configs) {
        this.configs = configs;
        this.endpoint = endpoint;
        this.deviceId = identity.deviceId();
        this.telemetryTopic = PublishRouter.telemetryTopic(deviceId);
        this.telemetryRoute = new PublishRoute.Telemetry(deviceId);
        this.mqtt5 = endpoint.protocolVersion() >= MqttVersion.MQTT_5.protocolLevel();
        this.reasonStringsOnPubAck = mqtt5 && problemInformationRequested(endpoint.connectProperties());
        this.settings = settings;
        this.sink = sink;
        this.validator = validator;
        this.metrics = metrics;
        this.deviceEvents = deviceEvents;
        this.draining = draining;
        this.onClosed = onClosed;
        this.socket = EndpointSockets.socketOf(endpoint);
        this.channel = EndpointSockets.channelOf(socket);
        this.context = Vertx.currentContext();
    }

    String deviceId() {
        return deviceId;
    }

    /** The event loop this connection lives on: other threads hop onto it with {@code runOnContext}. */
    Context context() {
        return context;
    }

    /** The device's address, for logs. */
    String remoteAddress() {
        return String.valueOf(endpoint.remoteAddress());
    }

    /** Charges this connection's publishes to {@code deviceQuota} (null: no quota). */
    void useQuota(PublishQuota deviceQuota) {
        this.quota = deviceQuota;
    }

    /**
     * Ends the connection because a newer connection with the same device id took the session over (MQTT 5:
     * DISCONNECT 0x8E session taken over; 3.1.1: closed). Answers still waiting for Kafka are dropped with the
     * connection: the device re-sends what it did not get a PUBACK for on its new connection. Call on
     * {@link #context()}.
     */
    void takeOver(String newRemote) {
        if (closed) {
            return;
        }
        closing = true;
        LOG.debug("Session taken over [device: {}, old: {}, new: {}]", deviceId, endpoint.remoteAddress(), newRemote);
        disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER, "session taken over by a new connection");
    }

    /** Installs the handlers and sends CONNACK (MQTT 5: with the server's limits). */
    void accept() {
        // Netty's high-water mark: beyond it the socket counts as not writable and the connection is closed
        socket.setWriteQueueMaxSize(settings.limits().maxUnreadBytesPerConnection());
        endpoint.publishAutoAck(false);
        endpoint.subscriptionAutoAck(false);
        endpoint.publishHandler(this::onPublish);
        endpoint.subscribeHandler(this::onSubscribe);
        endpoint.unsubscribeHandler(this::onUnsubscribe);
        endpoint.disconnectMessageHandler(this::onDisconnectMessage);
        endpoint.exceptionHandler(this::onException);
        endpoint.closeHandler(v -> onClose());
        if (mqtt5) {
            endpoint.accept(false, connackProperties());
        } else {
            endpoint.accept(false);
        }
        metrics.connectionAccepted();
        statusEvent(OutboundRecord.Event.CONNECTED, "protocol " + endpoint.protocolVersion());
        LOG.debug("Device connected [device: {}, protocol: {}, remote: {}]", deviceId, endpoint.protocolVersion(),
                endpoint.remoteAddress());
    }

    /** Ends the connection because the gateway shuts down (MQTT 5: DISCONNECT 0x8B). */
    void shutDown() {
        disconnect(MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN, "server shutting down");
    }

    /** Ends the connection because the device may no longer connect (MQTT 5: DISCONNECT 0x87 not authorized). */
    void revoke(String reason) {
        closing = true;
        deviceEvents.log("Connection ended: device revoked", deviceId, reason);
        disconnect(MqttDisconnectReasonCode.NOT_AUTHORIZED, reason);
    }

    /** Sends the device its new configuration if it is subscribed to its configuration topic. */
    void configChanged(byte[] config) {
        if (configSubscribed && !closed) {
            sendConfig(config);
        }
    }

    private void sendConfig(byte[] config) {
        if (closed || !endpoint.isConnected() || closedForUnreadAnswers()) {
            return;
        }
        try {
            endpoint.publish(PublishRouter.DEVICES + "/" + deviceId + "/config",
                    io.vertx.core.buffer.Buffer.buffer(config), configQos, false, true)
                    .onSuccess(id -> metrics.configSent())
                    .onFailure(e -> LOG.debug("Could not send the configuration [device: {}]", deviceId, e));
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Could not send the configuration [device: {}]", deviceId, e);
        }
    }

    /** Writes a gateway status event; best effort: a failure is counted and logged, never answered to anyone. */
    private void statusEvent(OutboundRecord.Event event, String detail) {
        if (!settings.statusEvents()) {
            return;
        }
        sink.send(new OutboundRecord.ConnectionEvent(deviceId, event, java.time.Instant.now(), settings.gatewayId(),
                detail)).onComplete(result -> {
            if (result.failed()) {
                metrics.kafkaSendFailed();
                deviceEvents.log("Kafka send failed", deviceId, "status event " + event.code() + ": " + result.cause());
            }
        });
    }

    private MqttProperties connackProperties() {
        MqttProperties properties = new MqttProperties();
        properties.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, settings.maxPacketBytes()));
        properties.add(new IntegerProperty(MqttProperties.RECEIVE_MAXIMUM,
                settings.maxInFlightPerConnection()));
        properties.add(new IntegerProperty(MqttProperties.MAXIMUM_QOS, 1));
        properties.add(new IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
        properties.add(new IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
        if (endpoint.clientIdentifier() == null || endpoint.clientIdentifier().isEmpty()) {
            properties.add(new StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, deviceId));
        }
        return properties;
    }

    // ---- PUBLISH ------------------------------------------------------------------------------------------------

    private void onPublish(MqttPublishMessage message) {
        metrics.publishReceived();
        try {
            handlePublish(message);
            pauseReadingIfCongested();
        } catch (RuntimeException e) {
            // A bug must not leave the device waiting for an answer that never comes.
            LOG.error("Failed to handle a publish, closing the connection [device: {}]", deviceId, e);
            closing = true;
            disconnect(MqttDisconnectReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "internal error");
        }
    }

    /**
     * Stops reading this device's socket while Kafka does not keep up. Checked after each publish, so only
     * connections that send get paused (idle ones keep answering PINGREQ), each at most one publish past the pause
     * mark. PUBACKs still go out while paused. Packets already read wait in Vert.x's queue of this connection.
     */
    private void pauseReadingIfCongested() {
        if (readingPaused || closed || !sink.congested()) {
            return;
        }
        readingPaused = true;
        socket.pause();
        metrics.readingPaused();
        LOG.debug("Reading paused: Kafka is not keeping up [device: {}]", deviceId);
        sink.whenDecongested(() -> context.runOnContext(v -> resumeReading()));
    }

    private void resumeReading() {
        if (!readingPaused) {
            return;
        }
        readingPaused = false;
        metrics.readingResumed();
        if (!closed) {
            socket.resume();
            LOG.debug("Reading resumed [device: {}]", deviceId);
        }
    }

    private void handlePublish(MqttPublishMessage message) {
        if (closing || closed) {
            return;
        }
        if (draining.getAsBoolean()) {
            // Neither forwarded nor acknowledged: the device keeps it and re-sends after reconnecting.
            return;
        }
        String topic = message.topicName();
        if (message.qosLevel() == MqttQoS.EXACTLY_ONCE) {
            fatal(RejectReason.QOS_NOT_SUPPORTED, "QoS 2 is not supported (maximum QoS is 1) on '"
                    + abbreviate(topic) + "'");
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
                    metrics.quotaDroppedQos0();
                } else if (!mqtt5) {
                    // 3.1.1 ends the connection with this answer: take nothing more from it meanwhile
                    closing = true;
                }
                reject(slot, RejectReason.DEVICE_QUOTA_EXCEEDED, exceeded);
                return;
            }
        }
        byte[] payload = message.payload().getBytes();

        PublishRoute route = telemetryTopic.equals(topic) ? telemetryRoute : PublishRouter.route(deviceId, topic);
        if (route instanceof PublishRoute.Refused) {
            PublishRoute.Refused refused = (PublishRoute.Refused) route;
            reject(slot, refused.reason(), refused.detail());
            return;
        }
        var tooLarge = validator.checkSize(payload.length);
        if (tooLarge.isPresent()) {
            rejectToDeadLetter(slot, topic, tooLarge.get(), payload);
            return;
        }
        if (route instanceof PublishRoute.Telemetry) {
            ValidationResult result = validator.validate(deviceId, payload);
            if (result instanceof ValidationResult.Invalid) {
                rejectToDeadLetter(slot, topic, (ValidationResult.Invalid) result, payload);
                return;
            }
            int readings = ((ValidationResult.Valid) result).readings();
            long dropped = ((ValidationResult.Valid) result).droppedReadings();
            forward(slot, new OutboundRecord.Telemetry(deviceId, payload), () -> {
                metrics.telemetryAccepted(readings);
                if (dropped > 0) {
                    metrics.deviceDroppedReadings(dropped);
                }
            });
        } else {
            forward(slot, new OutboundRecord.DeviceStatus(deviceId, topic, payload),
                    metrics::statusAccepted);
        }
    }

    private void forward(AckQueue.Slot<AckOutcome> slot, OutboundRecord record, Runnable accepted) {
        sink.send(record).onComplete(result -> {
            if (result.succeeded()) {
                accepted.run();
                answer(slot, AckOutcome.SUCCESS);
            } else {
                answer(slot, sendFailure(result, "forward " + kindOf(record)));
            }
        });
    }

    /** Refuses without dead-lettering: topic refusals carry no payload worth keeping. */
    private void reject(AckQueue.Slot<AckOutcome> slot, RejectReason reason, String detail) {
        metrics.rejected(reason);
        deviceEvents.log("Publish rejected: " + reason.code(), deviceId, detail);
        answer(slot, AckOutcome.rejected(reason, detail));
    }

    /**
     * Refuses a payload and keeps it on the dead-letter topic. The refusal is answered after Kafka took the dead
     * letter; if it did not, the device gets a retryable failure instead, so no payload vanishes without a trace.
     */
    private void rejectToDeadLetter(AckQueue.Slot<AckOutcome> slot, String topic, ValidationResult.Invalid invalid,
            byte[] payload) {
        metrics.rejected(invalid.reason());
        deviceEvents.log("Publish rejected: " + invalid.reason().code(), deviceId, invalid.detail());
        sink.send(new OutboundRecord.DeadLetter(deviceId, topic, invalid.reason(), invalid.detail(), invalid.rule(),
                payload)).onComplete(result -> {
            if (result.succeeded()) {
                answer(slot, AckOutcome.deadLettered(invalid.reason(), invalid.detail()));
            } else {
                metrics.deadLetterFailed();
                answer(slot, sendFailure(result, "dead-letter"));
            }
        });
    }

    private AckOutcome sendFailure(AsyncResult<Void> result, String what) {
        Throwable cause = result.cause();
        if (SendFailure.is(cause, SendFailure.Kind.OVERLOADED)) {
            metrics.rejected(RejectReason.GATEWAY_OVERLOADED);
            deviceEvents.log("Publish refused: gateway overloaded", deviceId, cause.getMessage());
            return AckOutcome.rejected(RejectReason.GATEWAY_OVERLOADED, "gateway overloaded, retry later");
        }
        metrics.kafkaSendFailed();
        deviceEvents.log("Kafka send failed", deviceId, what + ": " + cause);
        return new AckOutcome.PubAck(MqttPubAckReasonCode.UNSPECIFIED_ERROR, "not stored, retry later");
    }

    /** A violation that ends the connection once the answers queued before it are out. */
    private void fatal(RejectReason reason, String detail) {
        metrics.rejected(reason);
        deviceEvents.log("Connection ended: " + reason.code(), deviceId, detail);
        closing = true;
        answer(acks.add(0), AckOutcome.rejected(reason, detail));
    }

    private void answer(AckQueue.Slot<AckOutcome> slot, AckOutcome outcome) {
        if (slot == null || closed) {
            return; // QoS 0 has no answer; a closed connection cannot get one
        }
        for (AckQueue.Slot<AckOutcome> ready : acks.complete(slot, outcome)) {
            if (closed || !endpoint.isConnected()) {
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
            disconnect(disconnect.code(), disconnect.reason());
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
                metrics.deadLetterAcknowledged(); // before the write: whoever sees the PUBACK sees the count
                endpoint.publishAcknowledge(packetId);
                return true;
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Could not acknowledge, connection gone [device: {}]", deviceId, e);
            return false;
        }
        // MQTT 3.1.1 has no negative PUBACK: closing tells the device the publish was not taken.
        closeQuietly();
        return false;
    }

    /**
     * Closes the connection if its answers pile up unread: the device does not read its socket, and every further
     * answer would be held in the gateway's memory. The bound is Netty's high-water mark, set in {@link #accept()}.
     *
     * @return whether it closed the connection
     */
    private boolean closedForUnreadAnswers() {
        if (channel.isWritable() && !socket.writeQueueFull()) {
            return false;
        }
        if (!closing) {
            metrics.unreadAnswersClosed();
            deviceEvents.log("Connection ended: answers not read", deviceId, "more than "
                    + settings.limits().maxUnreadBytesPerConnection() + " bytes of answers unread");
        }
        closing = true;
        acks.clear();
        cutOff();
        return true;
    }

    /**
     * Ends a connection that does not read its socket, for real and at once. Vert.x's close waits for the queued
     * answers to be flushed, which never happens on a socket nobody drains: the connection stayed open and the device
     * kept writing. So: nothing more is read from it, and the channel is closed with a reset past Vert.x (see
     * {@link FrameGuard#closeAtOnce}), dropping what is queued for it. {@link #onClose()} follows when it is gone.
     */
    private void cutOff() {
        endedByGateway = true;
        FrameGuard.closeAtOnce(channel);
    }

    private void disconnect(MqttDisconnectReasonCode code, String reason) {
        if (closed || !endpoint.isConnected()) {
            return;
        }
        endedByGateway = true;
        try {
            if (mqtt5) {
                endpoint.disconnect(code, AckOutcome.reasonProperties(reason, true));
            } else {
                endpoint.close();
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Connection already gone [device: {}]", deviceId, e);
        }
    }

    private void closeQuietly() {
        endedByGateway = true;
        try {
            if (endpoint.isConnected()) {
                endpoint.close();
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Connection already gone [device: {}]", deviceId, e);
        }
    }

    // ---- SUBSCRIBE, DISCONNECT, errors, close ---------------------------------------------------------------------

    /**
     * A device may subscribe to its own configuration topic ({@code devices/{id}/config}, QoS at most 1); nothing is
     * published there yet. Every other filter is refused.
     */
    private void onSubscribe(MqttSubscribeMessage message) {
        String own = PublishRouter.DEVICES + "/" + deviceId + "/config";
        List<MqttSubAckReasonCode> codes = new ArrayList<>();
        boolean ownGranted = false;
        for (MqttTopicSubscription subscription : message.topicSubscriptions()) {
            if (own.equals(subscription.topicName())) {
                ownGranted = true;
                configQos = subscription.qualityOfService() == MqttQoS.AT_MOST_ONCE
                        ? MqttQoS.AT_MOST_ONCE : MqttQoS.AT_LEAST_ONCE;
                codes.add(configQos == MqttQoS.AT_MOST_ONCE
                        ? MqttSubAckReasonCode.GRANTED_QOS0 : MqttSubAckReasonCode.GRANTED_QOS1);
            } else {
                metrics.rejected(RejectReason.NOT_AUTHORIZED);
                deviceEvents.log("Subscription refused", deviceId,
                        "may not subscribe to '" + abbreviate(subscription.topicName()) + "'");
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
            configSubscribed = true;
            // Retained semantics: the latest configuration goes out at once on every subscription.
            configs.configFor(deviceId).ifPresent(this::sendConfig);
        }
    }

    private void onUnsubscribe(MqttUnsubscribeMessage message) {
        String own = PublishRouter.DEVICES + "/" + deviceId + "/config";
        if (message.topics().contains(own)) {
            configSubscribed = false;
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

    private void onDisconnectMessage(MqttDisconnectMessage message) {
        // MQTT 5 reason 0x04 asks the server to publish the will although the DISCONNECT is orderly.
        willDiscarded = message.code() != MqttDisconnectReasonCode.WITH_WILL_MESSAGE;
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
        if (closed) {
            return;
        }
        closed = true;
        acks.clear();
        if (readingPaused) {
            readingPaused = false; // the pending resumer then finds nothing to do
            metrics.readingResumed();
        }
        metrics.connectionClosed();
        LOG.debug("Device disconnected [device: {}]", deviceId);
        if (endedByGateway) {
            statusEvent(OutboundRecord.Event.DISCONNECTED_BY_GATEWAY, null);
        } else if (willDiscarded) {
            statusEvent(OutboundRecord.Event.DISCONNECTED, null);
        } else {
            statusEvent(OutboundRecord.Event.CONNECTION_LOST, null);
        }
        if (!willDiscarded) {
            forwardWill(endpoint.will());
        }
        onClosed.accept(this);
    }

    /**
     * Publishes the device's last will when the connection ended without a normal DISCONNECT; only a will on the
     * device's own status topic is taken.
     */
    private void forwardWill(MqttWill will) {
        if (will == null || !will.isWillFlag()) {
            return;
        }
        String topic = will.getWillTopic();
        byte[] payload = will.getWillMessage() == null ? new byte[0] : will.getWillMessage().getBytes();
        if (!PublishRouter.statusTopic(deviceId).equals(topic)) {
            metrics.rejected(RejectReason.NOT_AUTHORIZED);
            deviceEvents.log("Will refused", deviceId, "will topic '" + abbreviate(String.valueOf(topic))
                    + "' is not the device's status topic");
            return;
        }
        if (validator.checkSize(payload.length).isPresent()) {
            metrics.rejected(RejectReason.PAYLOAD_TOO_LARGE);
            deviceEvents.log("Will refused", deviceId, "will payload of " + payload.length + " bytes too large");
            return;
        }
        sink.send(new OutboundRecord.DeviceStatus(deviceId, topic, payload)).onComplete(result -> {
            if (result.succeeded()) {
                metrics.statusAccepted();
            } else {
                metrics.kafkaSendFailed();
                deviceEvents.log("Kafka send failed", deviceId, "will: " + result.cause());
            }
        });
    }

    private static String kindOf(OutboundRecord record) {
        return record instanceof OutboundRecord.Telemetry ? "telemetry" : "status";
    }

    private static boolean problemInformationRequested(MqttProperties connectProperties) {
        if (connectProperties == null) {
            return true;
        }
        MqttProperties.MqttProperty<?> property =
                connectProperties.getProperty(MqttProperties.REQUEST_PROBLEM_INFORMATION);
        return property == null || !Integer.valueOf(0).equals(property.value());
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
