package io.tributary.agent.sensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code command} sensor: the first number a program prints; killed at its timeout, non-zero exit = failure. */
final class CommandSensor {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private CommandSensor() {
    }

    /** {@code command} (a list: program and arguments, or a shell string) and {@code timeout} (default 5s). */
    static ValueReader of(SensorSpec spec) {
        Object raw = spec.params().get("command");
        List<String> command = new ArrayList<>();
        if (raw instanceof List<?> list && !list.isEmpty()) {
            list.forEach(o -> command.add(String.valueOf(o)));
        } else if (raw instanceof String s && !s.isBlank()) {
            command.addAll(List.of("/bin/sh", "-c", s));
        } else {
            throw new IllegalArgumentException("command: required, a list (program, args...) or a shell string");
        }
        Duration timeout = spec.params().containsKey("timeout")
                ? io.tributary.agent.config.Values.positiveDuration(spec.params().get("timeout"), "timeout")
                : DEFAULT_TIMEOUT;
        return () -> run(command, timeout);
    }

    static double run(List<String> command, Duration timeout) throws SensorException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new SensorException("cannot run " + command.get(0) + ": " + e.getMessage());
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new SensorException("command timed out after " + timeout.toMillis() + " ms");
            }
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                out = in.readNBytes(4096);
            }
            if (process.exitValue() != 0) {
                throw new SensorException("command exited with " + process.exitValue());
            }
            return KernelText.firstNumber(new String(out, StandardCharsets.UTF_8), "command output");
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SensorException("interrupted");
        } catch (IOException e) {
            throw new SensorException("reading the command output failed: " + e.getMessage());
        }
    }
}
