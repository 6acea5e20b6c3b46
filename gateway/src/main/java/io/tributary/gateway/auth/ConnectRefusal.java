package io.tributary.gateway.auth;

/** Why a CONNECT is refused; the MQTT layer maps it to the CONNACK return or reason code of each protocol version. */
public enum ConnectRefusal {
    /** The client identifier or user name does not yield a usable device id. */
    IDENTIFIER_INVALID,
    BAD_CREDENTIALS,
    /** The device is known but may not connect (e.g. disabled). */
    NOT_AUTHORIZED,
    /** The gateway holds as many connections as it may ({@code maxConnections}). */
    QUOTA_EXCEEDED,
    /** The gateway cannot take the connection now (shutting down, or the registry is unreachable). */
    SERVER_UNAVAILABLE,
    /**
     * Too many failed logins from this source address or for this device id: answered at once, without checking the
     * secret (MQTT 5: 0x9F connection rate exceeded; 3.1.1: 3 server unavailable, which clients treat as "retry
     * later").
     */
    LOGIN_THROTTLED,
    /** The queue of pending secret checks is full (MQTT 5: 0x89 server busy; 3.1.1: 3 server unavailable). */
    SERVER_BUSY
}
