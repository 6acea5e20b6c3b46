package io.tributary.agent.sensor;

import java.util.OptionalDouble;

/** Something the agent can sample. Implementations never throw for a failed read: they return empty. */
public interface Sensor {

    /** Unique on the device; becomes the InfluxDB tag "sensor". */
    String name();

    String unit();

    /** The current value, or empty when it cannot be read right now. */
    OptionalDouble read();
}
