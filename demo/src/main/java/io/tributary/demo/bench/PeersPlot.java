package io.tributary.demo.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** {@code peers.png}: both stacks side by side (medians over the rounds), four bar charts on one page. */
final class PeersPlot {

    private static final int CHART_WIDTH = 700;
    private static final int CHART_HEIGHT = 450;
    private static final String OURS = "Tributary";
    private static final String PEER = PeersBench.PEER_TITLE;

    private PeersPlot() {
    }

    static void draw(PeersReport report, Path file) throws IOException {
        List<JFreeChart> charts = charts(report);
        BufferedImage page = new BufferedImage(2 * CHART_WIDTH, 2 * CHART_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, page.getWidth(), page.getHeight());
            for (int i = 0; i < charts.size(); i++) {
                charts.get(i).draw(g, new java.awt.Rectangle((i % 2) * CHART_WIDTH, (i / 2) * CHART_HEIGHT,
                        CHART_WIDTH, CHART_HEIGHT));
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(page, "png", file.toFile());
    }

    /** Throughput, CPU per reading, latency and loss per fault; the loss panel says so when no fault was run. */
    static List<JFreeChart> charts(PeersReport report) {
        DefaultCategoryDataset throughput = new DefaultCategoryDataset();
        both(report, throughput, "readings_per_s", "sustained readings/s");
        both(report, throughput, "readings_per_stack_cpu_second", "readings per CPU-second");
        DefaultCategoryDataset cpu = new DefaultCategoryDataset();
        both(report, cpu, "stack_cpu_us_per_reading", "stack CPU per reading");
        DefaultCategoryDataset latency = new DefaultCategoryDataset();
        both(report, latency, "publish_to_queryable_p50_ms", "p50");
        both(report, latency, "publish_to_queryable_p99_ms", "p99");
        DefaultCategoryDataset loss = new DefaultCategoryDataset();
        for (String fault : report.faultNames()) {
            loss.addValue(report.lost(PeersBench.TRIBUTARY, fault), OURS, fault);
            loss.addValue(report.lost(PeersBench.PEER, fault), PEER, fault);
        }
        JFreeChart lossChart = chart("Readings acknowledged (PUBACK) and lost, per fault", "readings", loss);
        lossChart.getCategoryPlot().setNoDataMessage("No faults were run (--no-faults)");
        return List.of(chart("Throughput (median of the rounds)", "", throughput),
                chart("CPU per reading, simulator excluded", "µs", cpu),
                chart("Publish -> queryable at half the sustained rate", "ms", latency), lossChart);
    }

    private static void both(PeersReport report, DefaultCategoryDataset data, String figure, String label) {
        double ours = report.median(PeersBench.TRIBUTARY, figure);
        double peer = report.median(PeersBench.PEER, figure);
        data.addValue(Double.isNaN(ours) ? null : ours, OURS, label);
        data.addValue(Double.isNaN(peer) ? null : peer, PEER, label);
    }

    private static JFreeChart chart(String title, String axis, DefaultCategoryDataset data) {
        JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.VERTICAL, true,
                false, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
