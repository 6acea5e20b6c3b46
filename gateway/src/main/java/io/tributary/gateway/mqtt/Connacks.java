package io.tributary.gateway.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.tributary.gateway.auth.ConnectRefusal;

/** What the gateway's CONNACKs say: the server's limits to an accepted MQTT 5 device, the code of a refusal. */
final class Connacks {

    private Connacks() {
    }

    /** The MQTT 5 CONNACK properties of an accepted connection: the server's limits, the id assigned if none given. */
    static MqttProperties properties(MqttListenerSettings settings, String clientIdentifier, String deviceId) {
        MqttProperties properties = new MqttProperties();
        properties.add(new IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, settings.maxPacketBytes()));
        properties.add(new IntegerProperty(MqttProperties.RECEIVE_MAXIMUM,
                settings.maxInFlightPerConnection()));
        properties.add(new IntegerProperty(MqttProperties.MAXIMUM_QOS, 1));
        properties.add(new IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
        properties.add(new IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
        if (clientIdentifier == null || clientIdentifier.isEmpty()) {
            properties.add(new StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, deviceId));
        }
        return properties;
    }

    /** Whether an MQTT 5 client wants Reason Strings (Request Problem Information absent or 1). */
    static boolean problemInformationRequested(MqttProperties connectProperties) {
        if (connectProperties == null) {
            return true;
        }
        MqttProperties.MqttProperty<?> property =
                connectProperties.getProperty(MqttProperties.REQUEST_PROBLEM_INFORMATION);
        return property == null || !Integer.valueOf(0).equals(property.value());
    }

    static MqttConnectReturnCode refusalCode(ConnectRefusal refusal, boolean mqtt5) {
        MqttConnectReturnCode unavailable = MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
        return switch (refusal) {
            case IDENTIFIER_INVALID -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                    : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case BAD_CREDENTIALS -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                    : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case NOT_AUTHORIZED -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            case QUOTA_EXCEEDED -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED : unavailable;
            // MQTT 5 has a code for exactly this; 3.1.1 has none, and "server unavailable" makes clients retry
            // later rather than give up, which suits a throttle that ends by itself.
            case LOGIN_THROTTLED -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED
                    : unavailable;
            // 0x89 "Server busy" is MQTT 5's CONNACK code for this (0x97 is "quota exceeded").
            case SERVER_BUSY -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY : unavailable;
            case SERVER_UNAVAILABLE -> mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                    : unavailable;
        };
    }
}
