package io.tributary.gateway.auth;

/** Why a CONNECT is refused; the MQTT layer maps it to the CONNACK return or reason code of each protocol version. */
public enum ConnectRefusal {
    /** The client identifier or user name does not yield a usable device id. */
    IDENTIFIER_INVALID,
    /** The credentials are wrong. */
    BAD_CREDENTIALS,
    /** The device is known but may not connect (e.g. disabled). */
    NOT_AUTHORIZED,
    /** The gateway holds as many connections as it may ({@code maxConnections}). */
    QUOTA_EXCEEDED,
    /** The gateway cannot take the connection now (shutting down, or the registry is unreachable). */
    SERVER_UNAVAILABLE
}
