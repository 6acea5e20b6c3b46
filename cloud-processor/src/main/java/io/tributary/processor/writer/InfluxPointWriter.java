package io.tributary.processor.writer;

import java.time.Duration;
import java.util.List;

import com.influxdb.LogLevel;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.influxdb.client.write.WriteParameters;

import okhttp3.OkHttpClient;

/**
 * {@link PointWriter} over influxdb-client-java's {@link WriteApiBlocking}: one HTTP request to {@code /api/v2/write}
 * per call, outcome known on return. (The client's batching {@code WriteApi} reports failures only through events and
 * would let us commit offsets of points it later drops.)
 */
public final class InfluxPointWriter implements PointWriter {

    private final InfluxDBClient client;
    private final WriteApiBlocking writeApi;
    private final WriteParameters parameters;

    public InfluxPointWriter(String url, String token, String org, String bucket, Duration requestTimeout) {
        this(url, token, org, bucket, requestTimeout, false);
    }

    /**
     * @param gzip compress request bodies ({@code Content-Encoding: gzip})
     */
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

    @Override
    public void write(List<Point> points) {
        writeApi.writePoints(points, parameters);
    }

    @Override
    public void close() {
        client.close();
    }
}
