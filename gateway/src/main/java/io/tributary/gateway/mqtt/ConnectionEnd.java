package io.tributary.gateway.mqtt;

import io.netty.channel.Channel;
import io.tributary.gateway.outbound.OutboundRecord;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one {@link DeviceConnection} ends: the gateway ending it (DISCONNECT with a reason on MQTT 5, a close on 3.1.1,
 * or a reset for a device that does not read), who ended it, and what is reported once it is gone (the status event
 * and the will). Runs on the connection's event loop, like the connection.
 */
final class ConnectionEnd {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceConnection.class);

    private final MqttEndpoint endpoint;
    private final String deviceId;
    private final boolean mqtt5;
    /** The Netty channel under the endpoint's socket, for {@link #cutOff()}. */
    private final Channel channel;
    /** The gateway ended the connection (shutdown, device disabled, violation). */
    private boolean endedByGateway;
    private boolean closed;
    /** The device ended the session with a normal DISCONNECT: its will is discarded. */
    private boolean willDiscarded;

    ConnectionEnd(MqttEndpoint endpoint, String deviceId, boolean mqtt5, Channel channel) {
        this.endpoint = endpoint;
        this.deviceId = deviceId;
        this.mqtt5 = mqtt5;
        this.channel = channel;
    }

    boolean isClosed() {
        return closed;
    }

    /** Ends the connection: MQTT 5 with DISCONNECT {@code code} and {@code reason}, 3.1.1 by closing it. */
    void disconnect(MqttDisconnectReasonCode code, String reason) {
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

    /** Closes the connection without a DISCONNECT (how MQTT 3.1.1 refuses a publish). */
    void closeQuietly() {
        endedByGateway = true;
        try {
            if (endpoint.isConnected()) {
                endpoint.close();
            }
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("Connection already gone [device: {}]", deviceId, e);
        }
    }

    /**
     * Ends a connection that does not read its socket, for real and at once. Vert.x's close waits for the queued
     * answers to be flushed, which never happens on a socket nobody drains: the connection stayed open and the device
     * kept writing. So: nothing more is read from it, and the channel is closed with a reset past Vert.x (see
     * {@link FrameGuard#closeAtOnce}), dropping what is queued for it. {@link #markClosed()} follows when it is gone.
     */
    void cutOff() {
        endedByGateway = true;
        FrameGuard.closeAtOnce(channel);
    }

    /** The device's DISCONNECT: an orderly end discards the will. */
    void onDisconnectMessage(MqttDisconnectMessage message) {
        // MQTT 5 reason 0x04 asks the server to publish the will although the DISCONNECT is orderly.
        willDiscarded = message.code() != MqttDisconnectReasonCode.WITH_WILL_MESSAGE;
    }

    /** Marks the connection gone (its close handler ran); false if it was already marked. */
    boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    /** Reports how the connection ended, and the will unless the device discarded it. */
    void report(ConnectionReporter reporter) {
        if (endedByGateway) {
            reporter.event(OutboundRecord.Event.DISCONNECTED_BY_GATEWAY, null);
        } else if (willDiscarded) {
            reporter.event(OutboundRecord.Event.DISCONNECTED, null);
        } else {
            reporter.event(OutboundRecord.Event.CONNECTION_LOST, null);
        }
        if (!willDiscarded) {
            reporter.will(endpoint.will());
        }
    }
}
