import com.sun.tools.attach.VirtualMachine;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A diagnostic, not part of the build: where a running Kafka broker JVM spends its CPU and which requests it serves,
 * over an interval. Attaches to the JVM (same user), starts its local JMX agent, and prints per thread group (digits
 * in thread names folded) the CPU seconds of its Java threads, then the broker's requests per second by type
 * ({@code kafka.network:type=RequestMetrics,name=RequestsPerSec}). JIT and GC threads are not Java threads: compare
 * the total with the process's own CPU ({@code /proc/PID/stat}) to see them.
 *
 * <pre>{@code
 * java docs/bench/secure-cpu/BrokerProbe.java $(pgrep -f BrokerMain | head -1) 30
 * }</pre>
 */
public final class BrokerProbe {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java BrokerProbe.java PID SECONDS");
            System.exit(2);
        }
        long seconds = Long.parseLong(args[1]);
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(server,
                    ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
            Map<String, Long> cpuBefore = cpuByThreadGroup(threads);
            Map<String, Long> requestsBefore = requestsByType(server);
            Thread.sleep(seconds * 1000);
            Map<String, Long> cpu = difference(cpuByThreadGroup(threads), cpuBefore);
            Map<String, Long> requests = difference(requestsByType(server), requestsBefore);
            long total = cpu.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("pid %s, %d s: Java threads %.2f CPU-s (%.3f cores)%n", args[0], seconds, total / 1e9,
                    total / 1e9 / seconds);
            cpu.entrySet().stream().filter(e -> e.getValue() * 200 > total)
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                    .forEach(e -> System.out.printf("  %-55s %7.2f s %5.1f %%%n", e.getKey(), e.getValue() / 1e9,
                            100.0 * e.getValue() / total));
            System.out.println("requests per second:");
            requests.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                    .forEach(e -> System.out.printf("  %-55s %9.1f%n", e.getKey(), e.getValue() / (double) seconds));
        } finally {
            vm.detach();
        }
    }

    private static Map<String, Long> cpuByThreadGroup(ThreadMXBean threads) {
        Map<String, Long> byGroup = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            ThreadInfo info = threads.getThreadInfo(id);
            long nanos = threads.getThreadCpuTime(id);
            if (info != null && nanos >= 0) {
                byGroup.merge(info.getThreadName().replaceAll("\\d+", "#"), nanos, Long::sum);
            }
        }
        return byGroup;
    }

    private static Map<String, Long> requestsByType(MBeanServerConnection server) throws Exception {
        Map<String, Long> byType = new HashMap<>();
        for (ObjectName name : server.queryNames(
                new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
            byType.merge(name.getKeyProperty("request"), ((Number) server.getAttribute(name, "Count")).longValue(),
                    Long::sum);
        }
        return byType;
    }

    private static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> difference = new HashMap<>();
        after.forEach((key, value) -> difference.put(key, value - before.getOrDefault(key, 0L)));
        return difference;
    }
}
