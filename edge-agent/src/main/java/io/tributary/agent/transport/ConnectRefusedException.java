package io.tributary.agent.transport;

import io.tributary.mqtt.ReasonCodes;

/** The gateway answered CONNECT with a refusal (CONNACK reason code 0x80 or above). */
public final class ConnectRefusedException extends Exception {

    private final int reasonCode;

    public ConnectRefusedException(int reasonCode, Throwable cause) {
        super("the gateway refused the connection: " + ReasonCodes.describe(reasonCode)
                + (ReasonCodes.connectRefusalIsLoad(reasonCode) ? " (it is busy: retrying later)"
                        : " (check device.id and the password file)"), cause);
        this.reasonCode = reasonCode;
    }

    public int reasonCode() {
        return reasonCode;
    }
}
