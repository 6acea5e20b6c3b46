package io.tributary.localstack.support;

import io.tributary.localstack.LocalStackException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small {@code /bin/sh} process that outlives nothing: it optionally runs one child command, and when its standard
 * input (a pipe held only by this JVM) reaches end-of-file — on {@link #close()}, or because the JVM died for any
 * reason, SIGKILL included — it stops the child (SIGTERM, then SIGKILL after a grace period), waits for it and removes
 * a directory tree. This is what keeps a killed test JVM from leaving influxd processes and temp dirs behind.
 *
 * <p>The guardian ignores SIGINT, SIGTERM and SIGHUP, so a signal sent to the whole process group (Ctrl-C in a
 * terminal, {@code timeout}, a closed terminal) cannot stop it before it has cleaned up: the JVM's shutdown hook closes
 * the pipe, or the pipe closes because the JVM died. Only SIGKILL stops it early.
 * Writing {@code keep} to it forgets the directory (used when a start attempt is retried inside the same directory).
 */
public final class ChildGuardian implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildGuardian.class);

    /** Grace period between SIGTERM and SIGKILL for the child, in tenths of a second. */
    private static final int TERM_GRACE_TENTHS = 50;

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(TERM_GRACE_TENTHS / 10 + 10);

    // $1 = log file for the child's output, $2 = directory to remove at exit ('' = none), $3... = child command.
    private static final String SCRIPT = String.join("\n",
            "log=$1; remove=$2; shift 2",
            "trap '' INT TERM HUP",
            "child=",
            "if [ $# -gt 0 ]; then",
            "  ( trap - TERM HUP; exec \"$@\" ) </dev/null >>\"$log\" 2>&1 &",
            "  child=$!",
            "fi",
            "echo \"started ${child:-0}\"",
            "while read -r line; do",
            "  case $line in keep) remove= ;; esac",
            "done",
            "if [ -n \"$child\" ]; then",
            "  kill -TERM \"$child\" 2>/dev/null",
            "  i=0",
            "  while [ $i -lt " + TERM_GRACE_TENTHS + " ]; do",
            "    s=",
            "    read -r _pid _comm s _rest 2>/dev/null <\"/proc/$child/stat\" || break",
            "    [ \"$s\" = Z ] && break",
            "    sleep 0.1",
            "    i=$((i+1))",
            "  done",
            "  kill -KILL \"$child\" 2>/dev/null",
            "  wait \"$child\" 2>/dev/null",
            "fi",
            "if [ -n \"$remove\" ]; then rm -rf -- \"$remove\"; fi",
            "echo stopped",
            "");

    private final Process guardian;
    private final OutputStream control;
    private final ProcessHandle child;
    private boolean closed;

    private ChildGuardian(Process guardian, ProcessHandle child) {
        this.guardian = guardian;
        this.control = guardian.getOutputStream();
        this.child = child;
    }

    /**
     * Starts the guardian.
     *
     * @param command      the child command; empty for a guardian that only removes {@code removeOnExit}
     * @param environment  variables added to the child's environment
     * @param logFile      where the child's stdout and stderr (and the guardian's stderr) go; required with a command
     * @param removeOnExit a directory tree to delete after the child stopped, or {@code null}
     */
    public static ChildGuardian start(List<String> command, Map<String, String> environment, Path logFile,
            Path removeOnExit) {
        if (!command.isEmpty() && logFile == null) {
            throw new IllegalArgumentException("logFile is required when a command is given");
        }
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "tributary-guardian",
                logFile == null ? "/dev/null" : logFile.toAbsolutePath().toString(),
                removeOnExit == null ? "" : removeOnExit.toAbsolutePath().toString()));
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(logFile == null ? ProcessBuilder.Redirect.DISCARD
                        : ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new LocalStackException("could not start /bin/sh for the process guardian", e);
        }
        try {
            String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (line == null || !line.startsWith("started ")) {
                throw new LocalStackException("process guardian did not start " + command + ": got " + line);
            }
            long pid = Long.parseLong(line.substring("started ".length()).trim());
            ProcessHandle child = pid == 0 ? null : ProcessHandle.of(pid).orElse(null);
            LOG.debug("Guardian started [guardianPid: {}, childPid: {}, command: {}]", process.pid(), pid, command);
            return new ChildGuardian(process, child);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            if (e instanceof LocalStackException lse) {
                throw lse;
            }
            throw new LocalStackException("process guardian did not start " + command, e);
        }
    }

    /** The child process, if a command was given and it is still known to the OS. */
    public Optional<ProcessHandle> child() {
        return Optional.ofNullable(child);
    }

    /** Whether the child runs; a child that exited but is not reaped yet (a zombie) counts as stopped. */
    public boolean isChildAlive() {
        return child != null && child.isAlive() && !isZombie(child.pid());
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) S ...": the state follows the last ')' since comm may contain anything.
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }

    public long guardianPid() {
        return guardian.pid();
    }

    /** Tells the guardian not to remove its directory when it stops. */
    public synchronized void keepDirectory() {
        if (closed) {
            return;
        }
        try {
            control.write("keep\n".getBytes(StandardCharsets.US_ASCII));
            control.flush();
        } catch (IOException e) {
            throw new LocalStackException("process guardian is gone", e);
        }
    }

    /** Stops the child, removes the directory (unless kept) and waits for the guardian to finish; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            control.close();
        } catch (IOException e) {
            LOG.debug("Guardian control pipe already closed", e);
        }
        boolean exited;
        try {
            exited = guardian.waitFor(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            LOG.warn("Process guardian did not finish in time, killing it [guardianPid: {}]", guardian.pid());
            guardian.destroyForcibly();
        }
        if (child != null && child.isAlive()) {
            // The guardian was killed before it could stop the child: finish its job from here.
            LOG.warn("Process guardian is gone but its child runs, stopping it [guardianPid: {}, childPid: {}]",
                    guardian.pid(), child.pid());
            stop(child);
        }
    }

    private static void stop(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(TERM_GRACE_TENTHS * 100L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debug("Process ignored SIGTERM [pid: {}]", process.pid());
        }
        process.destroyForcibly();
    }
}
