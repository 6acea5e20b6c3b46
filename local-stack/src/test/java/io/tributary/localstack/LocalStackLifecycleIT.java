package io.tributary.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.localstack.influx.ManagedInfluxd;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping and failing to start: nothing may be left behind. */
class LocalStackLifecycleIT {

    @TempDir
    Path tmp;

    @Test
    void shouldLeaveNoProcessAndNoDirectoryAfterClose() {
        LocalStack stack = LocalStack.start();
        Path dataDir = stack.dataDir();
        ProcessHandle influxd = stack.influxdProcess().orElseThrow();
        assertThat(dataDir).isDirectory();
        assertThat(influxd.isAlive()).isTrue();

        stack.close();

        assertThat(influxd.isAlive()).isFalse();
        assertThat(dataDir).doesNotExist();
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .noneMatch(p -> p.info().command().orElse("").endsWith("influxd"));
    }

    @Test
    void shouldCloseIdempotentlyAndRefuseUseAfterClose() {
        LocalStack stack = LocalStack.start(LocalStackOptions.defaults().withoutKafka());
        stack.close();
        stack.close();

        assertThatThrownBy(stack::influxUrl).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void shouldRunKafkaAloneAndRemoveItsTempDir() {
        Path dataDir;
        try (LocalStack stack = LocalStack.start(LocalStackOptions.defaults().withoutInflux())) {
            dataDir = stack.dataDir();
            stack.createTopics(1, "alone");
            assertThat(stack.influxdProcess()).isEmpty();
            assertThatThrownBy(stack::influxUrl).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("startInflux");
        }
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void shouldKeepAGivenDataDirAndReuseItOnRestart() throws Exception {
        Path dataDir = tmp.resolve("persistent");
        LocalStackOptions options = LocalStackOptions.defaults().withDataDir(dataDir).withInfluxBucket("kept");
        try (LocalStack stack = LocalStack.start(options)) {
            stack.createTopics(2, "persisted");
            HttpResponse<String> write = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    stack.influxDirectUrl() + "/write?db=kept&precision=n"))
                    .POST(HttpRequest.BodyPublishers.ofString("m value=7 77")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(write.statusCode()).isEqualTo(204);
        }
        assertThat(dataDir).isDirectory();

        try (LocalStack stack = LocalStack.start(options)) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    stack.kafkaBootstrapServers()))) {
                Set<String> names = admin.listTopics().names().get();
                assertThat(names).contains("persisted");
            }
            HttpResponse<String> read = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    stack.influxDirectUrl() + "/query?db=kept&epoch=ns&q=SELECT+value+FROM+m")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.body()).contains("[77,7]");
        }
        assertThat(dataDir).isDirectory();
    }

    @Test
    void shouldExplainHowToInstallInfluxdWhenItIsMissing() {
        ManagedInfluxd.Config config = new ManagedInfluxd.Config(tmp.resolve("influx"), null,
                "influxd-not-installed", Duration.ofSeconds(30));

        assertThatThrownBy(() -> ManagedInfluxd.start(config))
                .isInstanceOf(LocalStackException.class)
                .hasMessage("influxd-not-installed not found on PATH: install Debian's `influxdb` package "
                        + "(apt-get install -y influxdb)");
    }

    @Test
    void shouldFailClearlyAndCleanUpWhenInfluxdDiesAtStartup() throws Exception {
        Path fake = tmp.resolve("fake-influxd");
        Files.writeString(fake, "#!/bin/sh\necho 'run: open server: listen tcp: address already taken' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);
        Path dir = tmp.resolve("dies");
        ManagedInfluxd.Config config = new ManagedInfluxd.Config(dir.resolve("influx"), dir, fake.toString(),
                Duration.ofSeconds(30));

        assertThatThrownBy(() -> ManagedInfluxd.start(config))
                .isInstanceOf(LocalStackException.class)
                .hasMessageContaining("influxd exited during startup")
                .hasMessageContaining("address already taken");
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir));
    }

    @Test
    void shouldGiveUpWaitingForAnInfluxdThatNeverAnswers() throws Exception {
        Path fake = tmp.resolve("silent-influxd");
        Files.writeString(fake, "#!/bin/sh\nexec sleep 600\n");
        fake.toFile().setExecutable(true);
        ManagedInfluxd.Config config = new ManagedInfluxd.Config(tmp.resolve("silent"), null, fake.toString(),
                Duration.ofMillis(500));

        assertThatThrownBy(() -> ManagedInfluxd.start(config))
                .isInstanceOf(LocalStackException.class)
                .hasMessageContaining("did not answer");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 600"));
    }
}
