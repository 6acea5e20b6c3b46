package io.tributary.gateway.auth;

import io.tributary.common.LogSanitizer;

/**
 * What a device presented in its CONNECT; user name and password may be null.
 *
 * @param protocolVersion 4 for MQTT 3.1.1, 5 for MQTT 5
 * @param certificateDeviceId the CN of the client certificate verified by mutual TLS, or null
 */
public record ConnectRequest(String clientId, String username, String password, int protocolVersion,
        String remoteAddress, String certificateDeviceId) {

    /** Never prints the password; the device-chosen texts are {@linkplain LogSanitizer sanitised} for logs. */
    @Override
    public String toString() {
        return "ConnectRequest[clientId=" + LogSanitizer.sanitize(clientId) + ", username="
                + LogSanitizer.sanitize(username) + ", password=" + (password == null ? "none" : "***")
                + ", protocolVersion=" + protocolVersion + ", remoteAddress=" + remoteAddress
                + ", certificateDeviceId=" + LogSanitizer.sanitize(certificateDeviceId) + "]";
    }
}
