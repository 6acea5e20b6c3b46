package io.tributary.demo.process;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The heap of another JVM on this machine, read over its loopback-only JMX port. */
final class RemoteHeap implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteHeap.class);

    private final String name;
    private final int port;
    private JMXConnector jmx;

    RemoteHeap(String name, int port) {
        this.name = name;
        this.port = port;
    }

    /** The JVM options that open JMX on {@code port}, on 127.0.0.1 only and without authentication. */
    static List<String> jvmOptions(int port) {
        return List.of("-Dcom.sun.management.jmxremote.port=" + port,
                "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
                "-Dcom.sun.management.jmxremote.local.only=true");
    }

    /** The heap in use now, in bytes (optionally after asking for a full GC); -1 when JMX does not answer. */
    synchronized long usedBytes(boolean afterGc) {
        try {
            if (jmx == null) {
                jmx = JMXConnectorFactory.connect(new JMXServiceURL(
                        "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi"));
            }
            MBeanServerConnection connection = jmx.getMBeanServerConnection();
            MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(connection,
                    ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
            if (afterGc) {
                memory.gc();
            }
            return memory.getHeapMemoryUsage().getUsed();
        } catch (IOException | RuntimeException e) {
            LOG.debug("No heap reading from {}", name, e);
            close();
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        if (jmx != null) {
            try {
                jmx.close();
            } catch (IOException e) {
                // gone either way
            }
            jmx = null;
        }
    }
}
