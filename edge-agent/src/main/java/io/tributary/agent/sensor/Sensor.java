package io.tributary.agent.sensor;

/** Something the agent can sample. */
public interface Sensor {

    /** Unique on the device; becomes the InfluxDB tag "sensor". */
    String name();

    String unit();

    /**
     * Reads the current value (scale and offset applied).
     *
     * @throws SensorException with a short human reason when the value cannot be read right now
     */
    double read() throws SensorException;
}
