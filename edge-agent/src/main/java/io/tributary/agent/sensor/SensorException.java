package io.tributary.agent.sensor;

/** A sensor could not be read; the message says why in a few words (it goes into logs and the status message). */
public final class SensorException extends Exception {

    private static final long serialVersionUID = 1L;

    public SensorException(String message) {
        super(message, null, false, false);
    }
}
