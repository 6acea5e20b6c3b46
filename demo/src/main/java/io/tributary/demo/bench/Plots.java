package io.tributary.demo.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The benchmark's PNG plots, drawn with JFreeChart on a headless Java2D surface. */
final class Plots {

    private static final int WIDTH = 1400;
    private static final int HEIGHT = 1000;

    private Plots() {
    }

    /** Per-second rates of a cumulative counter: one point per pair of consecutive samples with both values. */
    static List<double[]> rates(List<Sample> samples, ToDoubleFunction<Sample> counter) {
        List<double[]> points = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            Sample a = samples.get(i - 1);
            Sample b = samples.get(i);
            double dt = b.t() - a.t();
            double dv = counter.applyAsDouble(b) - counter.applyAsDouble(a);
            if (dt > 0 && !Double.isNaN(dv) && dv >= 0) {
                points.add(new double[] {b.t(), dv / dt});
            }
        }
        return points;
    }

    /**
     * Throughput over time: readings/s accepted by the gateway, stored in InfluxDB and run through Streams; the
     * backlog in Kafka; CPU cores used per component; a marker where each phase starts.
     */
    static void throughput(List<Sample> samples, String title, Path file) throws IOException {
        XYSeriesCollection readings = new XYSeriesCollection();
        readings.addSeries(series("gateway: readings accepted/s", rates(samples, Sample::gatewayReadings)));
        readings.addSeries(series("processor: readings stored in InfluxDB/s", rates(samples, Sample::storedReadings)));
        readings.addSeries(series("processor: readings through rollups+alerts/s",
                rates(samples, Sample::analysedReadings)));

        XYSeriesCollection backlog = new XYSeriesCollection();
        backlog.addSeries(series("readings writer lag (records)", values(samples, Sample::writerLag)));
        backlog.addSeries(series("Kafka Streams lag (records)", values(samples, Sample::streamsLag)));

        XYSeriesCollection cpu = new XYSeriesCollection();
        Map<String, Boolean> components = new LinkedHashMap<>();
        samples.forEach(s -> s.cpuSeconds().keySet().forEach(c -> components.put(c, true)));
        for (String component : components.keySet()) {
            cpu.addSeries(series(component, rates(samples, s -> s.cpuSeconds().getOrDefault(component, Double.NaN))));
        }

        NumberAxis time = new NumberAxis("time since start (s)");
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
        plot.setGap(12);
        XYPlot readingsPlot = subplot(readings, "readings/s", 0);
        plot.add(readingsPlot, 3);
        plot.add(subplot(backlog, "backlog (records = batches)", 3), 2);
        plot.add(subplot(cpu, "CPU (cores)", 5), 2);

        String previous = null;
        for (Sample s : samples) {
            // Drains between phases are short: their labels would overwrite the next phase's.
            if (!s.phase().equals(previous) && !s.phase().equals("drain")) {
                ValueMarker marker = new ValueMarker(s.t(), Color.GRAY, new BasicStroke(1f));
                marker.setLabel(s.phase());
                marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
                marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
                readingsPlot.addDomainMarker(marker);
            }
            previous = s.phase();
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * Latency distribution per hop: latency (log scale) against percentile on a "nines" axis
     * (x = -log10(1 - p/100): 1 is p90, 2 is p99, 3 is p99.9), so the tail is as readable as the median.
     *
     * @param hops series name to latencies in microseconds
     */
    static void latency(Map<String, Histogram> hops, String title, Path file) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, Histogram> hop : hops.entrySet()) {
            Histogram micros = hop.getValue();
            long n = micros.getTotalCount();
            if (n == 0) {
                continue;
            }
            XYSeries series = new XYSeries(hop.getKey() + " (n=" + n + ")");
            long below = 0;
            for (HistogramIterationValue value : micros.recordedValues()) {
                // Midpoint plotting position: the i-th of n samples stands for percentile (i + 0.5) / n, so the
                // maximum gets a finite place on the axis; the samples of one value are a flat step.
                double millis = Math.max(value.getValueIteratedTo() / 1000.0, 0.1);
                long count = value.getCountAtValueIteratedTo();
                series.add(-Math.log10(1 - (below + 0.5) / n), millis);
                if (count > 1) {
                    series.add(-Math.log10(1 - (below + count - 0.5) / n), millis);
                }
                below += count;
            }
            data.addSeries(series);
        }
        NumberAxis percentile = new NumberAxis("percentile: 0 = p0, 0.3 = p50, 1 = p90, 2 = p99, 3 = p99.9 "
                + "(the right end of each line is its maximum)");
        LogAxis millis = new LogAxis("latency from the MQTT publish (ms, log scale)");
        millis.setSmallestValue(0.1);
        millis.setBase(10);
        millis.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        XYLineAndShapeRenderer renderer = renderer(data.getSeriesCount(), 0);
        XYPlot plot = new XYPlot(data, percentile, millis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, 800);
    }

    /** Dark, distinguishable colours (JFreeChart's defaults include yellow on white). */
    private static final Color[] PALETTE = {new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
        new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x000000), new Color(0x393b79)};

    private static XYLineAndShapeRenderer renderer(int series, int colorOffset) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < series; i++) {
            renderer.setSeriesStroke(i, new BasicStroke(1.8f));
            renderer.setSeriesPaint(i, PALETTE[(i + colorOffset) % PALETTE.length]);
        }
        return renderer;
    }

    private static XYPlot subplot(XYSeriesCollection data, String label, int colorOffset) {
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, null, axis, renderer(data.getSeriesCount(), colorOffset));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static List<double[]> values(List<Sample> samples, ToDoubleFunction<Sample> value) {
        return samples.stream().map(s -> new double[] {s.t(), value.applyAsDouble(s)}).filter(p -> !Double.isNaN(p[1]))
                .toList();
    }

    private static XYSeries series(String name, List<double[]> points) {
        XYSeries series = new XYSeries(name, false, true);
        for (double[] p : points) {
            series.add(p[0], p[1]);
        }
        return series;
    }
}
