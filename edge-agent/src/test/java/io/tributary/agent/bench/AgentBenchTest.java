package io.tributary.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.agent.bench.AgentBench.Tool;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentBenchTest {

    @TempDir
    Path dir;

    @Test
    void shouldStopWithOneLineNamingAMissingToolAndItsDebianPackage() {
        Path missing = dir.resolve("usr/sbin/mosquitto");

        assertThatThrownBy(() -> AgentBench.requireTools(List.of(new Tool("mosquitto", missing, "mosquitto"))))
                .isInstanceOf(AgentBench.BenchException.class)
                .hasMessage("mosquitto (" + missing + ") not found: install the Debian package mosquitto "
                        + "(sudo apt-get install -y mosquitto)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void shouldNameAMissingJarWithoutAPackage() {
        Path jar = dir.resolve("tributary-edge-agent.jar");

        assertThatThrownBy(() -> AgentBench.requireTools(List.of(new Tool("the agent's jar", jar, null))))
                .hasMessageStartingWith("the agent's jar (" + jar + ") not found: run it from the repository root");
    }

    @Test
    void shouldPassWhenEveryToolIsThere() {
        assertThatCode(() -> AgentBench.requireTools(List.of(new Tool("sh", Path.of("/bin/sh"), "dash"))))
                .doesNotThrowAnyException();
    }
}
