package io.tributary.processor.writer;

import java.time.Duration;
import java.util.List;

import com.influxdb.LogLevel;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.WriteParameters;

import okhttp3.OkHttpClient;

/**
 * {@link PointWriter} over influxdb-client-java's {@link WriteApiBlocking}: one HTTP request to {@code /api/v2/write}
 * per call (the points encoded by {@link LinePoint}), outcome known on return. (The client's batching
 * {@code WriteApi} reports failures only through events and would let us commit offsets of points it later drops.)
 */
public final class InfluxPointWriter implements PointWriter {

    private final InfluxDBClient client;
    private final WriteApiBlocking writeApi;
    private final WriteParameters parameters;
    /** Reused between requests (writes come one at a time from a writer loop), unless a huge batch grew it. */
    private final StringBuilder lineBuffer = new StringBuilder(64 * 1024);
    private static final int MAX_KEPT_BUFFER_CHARS = 4 * 1024 * 1024;

    public InfluxPointWriter(String url, String token, String org, String bucket, Duration requestTimeout) {
        this(url, token, org, bucket, requestTimeout, false);
    }

    /** {@code gzip}: compress request bodies ({@code Content-Encoding: gzip}). */
    public InfluxPointWriter(String url, String token, String org, String bucket, Duration requestTimeout,
            boolean gzip) {
        OkHttpClient.Builder http = new OkHttpClient.Builder()
                .connectTimeout(requestTimeout)
                .readTimeout(requestTimeout)
                .writeTimeout(requestTimeout)
                .retryOnConnectionFailure(false);
        InfluxDBClientOptions.Builder options = InfluxDBClientOptions.builder()
                .url(url)
                .org(org)
                .bucket(bucket)
                .logLevel(LogLevel.NONE)
                .okHttpClient(http);
        if (!token.isEmpty()) {
            options.authenticateToken(token.toCharArray());
        }
        this.client = InfluxDBClientFactory.create(options.build());
        if (gzip) {
            client.enableGzip();
        }
        this.writeApi = client.getWriteApiBlocking();
        this.parameters = new WriteParameters(bucket, org, WritePrecision.NS);
    }

    /**
     * Sends the points' lines as one request body through the client's record API, so failures surface as the same
     * {@code InfluxException}s as before (see {@link WriteFailureClassifier}). No points, no request.
     */
    @Override
    public void write(List<LinePoint> points) {
        if (points.isEmpty()) {
            return;
        }
        String body;
        synchronized (lineBuffer) {
            body = LinePoint.encode(points, lineBuffer);
            if (lineBuffer.capacity() > MAX_KEPT_BUFFER_CHARS) {
                lineBuffer.setLength(0);
                lineBuffer.trimToSize();
            }
        }
        writeApi.writeRecord(body, parameters);
    }

    @Override
    public void close() {
        client.close();
    }
}
