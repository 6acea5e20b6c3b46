package io.tributary.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class MicrometerGatewayMetricsTest {

    @Test
    void readyGaugeSurvivesAGarbageCollectionOfItsOnlyReference() throws InterruptedException {
        MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics();
        boolean[] state = {true};
        BooleanSupplier ready = () -> state[0]; // capturing: a fresh object, not a cached constant
        WeakReference<BooleanSupplier> probe = new WeakReference<>(ready);
        metrics.bindGateway(ready, 10);
        ready = null;
        for (int i = 0; i < 10 && probe.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }

        assertThat(metrics.scrape()).contains("tributary_gateway_ready 1\n");
    }
}
