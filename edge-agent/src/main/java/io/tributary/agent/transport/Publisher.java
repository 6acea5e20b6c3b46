package io.tributary.agent.transport;

/** The agent's uplink. Used from the agent's single publishing thread. */
public interface Publisher extends AutoCloseable {

    boolean isConnected();

    /** Connects, blocking up to the client's connect timeout. */
    void connect() throws Exception;

    /**
     * Publishes with QoS 1 and waits for the PUBACK.
     *
     * @return the PUBACK reason code (0 = success; MQTT 5 codes of 0x80 and above are refusals)
     */
    int publish(String topic, byte[] payload) throws Exception;

    @Override
    void close();
}
