package io.tributary.processor.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import io.tributary.contract.Topics;
import io.tributary.common.Durations;
import io.tributary.cli.KafkaOptions;
import io.tributary.common.KafkaClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./tributary deadletter}: lists the dead-letter topic by reason and replays chosen dead letters, each at most
 * once, to the topic they came from (see {@link DeadLetters}).
 */
@Command(name = "tributary deadletter", mixinStandardHelpOptions = true,
        description = "Lists dead letters by reason and replays chosen ones to the topic they came from, each at most "
                + "once (a marker in <deadletter topic>-replayed is written in the same Kafka transaction).",
        subcommands = {DeadLetterMain.List.class, DeadLetterMain.Replay.class})
public final class DeadLetterMain implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        // Kafka unreachable or a topic unreadable is an answer for the operator, not a stack trace.
        return new CommandLine(new DeadLetterMain()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("tributary deadletter: " + e.getMessage());
            return 1;
        });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * What both subcommands take: where the dead letters are (also from TRIBUTARY_KAFKA_* and TRIBUTARY_TOPIC_PREFIX)
     * and which of them the command is about.
     */
    abstract static class Subcommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,...]",
                description = "Kafka bootstrap servers (env TRIBUTARY_KAFKA_BOOTSTRAP; default: bootstrap.servers of "
                        + "--kafka-config, else localhost:9092).")
        String bootstrap;

        @Mixin
        KafkaOptions kafka = new KafkaOptions();

        @Option(names = "--topic-prefix", paramLabel = "PREFIX",
                description = "Topic prefix (env TRIBUTARY_TOPIC_PREFIX; default: tributary.); the dead-letter "
                        + "topic is <prefix>deadletter.")
        String prefix;

        @Option(names = "--device", paramLabel = "ID", description = "Only this device's dead letters.")
        String device;

        @Option(names = "--since", paramLabel = "TIME",
                description = "Only dead letters written at or after TIME: an instant (2026-12-06T20:00:00Z) or a "
                        + "duration ago (30m, 2h, 1d).")
        String since;

        DeadLetters open() {
            Map<String, String> env = System.getenv();
            KafkaClientConfig client = kafka.resolve(bootstrap != null ? bootstrap
                    : env.get("TRIBUTARY_KAFKA_BOOTSTRAP"), env);
            String p = prefix != null ? prefix
                    : env.getOrDefault("TRIBUTARY_TOPIC_PREFIX", Topics.DEFAULT_PREFIX);
            return new DeadLetters(client, new Topics(p).deadLetter(), Duration.ofSeconds(15));
        }

        Predicate<DeadLetters.DeadLetter> predicate(String reason) {
            Instant from = since == null ? Instant.MIN : parseSince(since);
            return d -> (reason == null || d.hasReason(reason))
                    && (device == null || d.device().equals(device))
                    && !d.time().isBefore(from);
        }

        static Instant parseSince(String text) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                try {
                    return Instant.now().minus(Durations.parse(text));
                } catch (IllegalArgumentException e2) {
                    throw new CommandLine.ParameterException(new CommandLine(new DeadLetterMain()),
                            "--since: '" + text + "' is neither an instant (2026-12-06T20:00:00Z) nor a duration "
                                    + "(30m, 2h, 1d)");
                }
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Without --reason: dead letters counted by reason and origin. With --reason: the records "
                    + "(position, time, device, origin, replayed, detail).")
    static final class List extends Subcommand {
        @Option(names = "--reason", paramLabel = "R",
                description = "Show the records of this reason, or of this contract rule (e.g. event_time_in_future).")
        String reason;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                description = "Show at most N records (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DeadLetters deadLetters = open();
            Set<String> replayed = deadLetters.replayedIds();
            var selected = deadLetters.read().stream().filter(predicate(reason)).toList();
            if (reason == null) {
                Map<String, int[]> counts = new TreeMap<>();
                selected.forEach(d -> {
                    int[] c = counts.computeIfAbsent(d.reasonAndRule() + "\t" + d.origin(), k -> new int[2]);
                    c[0]++;
                    c[1] += replayed.contains(d.id()) ? 1 : 0;
                });
                out.printf("%-48s %-20s %8s %8s%n", "REASON", "ORIGIN", "COUNT", "REPLAYED");
                counts.forEach((k, c) -> {
                    String[] parts = k.split("\t", 2);
                    out.printf("%-48s %-20s %8d %8d%n", safe(parts[0], 48), safe(parts[1], 20), c[0], c[1]);
                });
                out.flush();
                return 0;
            }
            int shown = Math.max(0, Math.min(limit, selected.size()));
            out.printf("%-12s %-24s %-20s %-18s %-8s %s%n", "POSITION", "TIME", "DEVICE", "ORIGIN", "REPLAYED",
                    "DETAIL");
            selected.subList(0, shown).forEach(d -> out.printf("%-12s %-24s %-20s %-18s %-8s %s%n", d.id(), d.time(),
                    safe(d.device(), 20), safe(d.origin(), 18), replayed.contains(d.id()) ? "yes" : "no",
                    safe(d.detail(), 300)));
            out.printf("%d of %d dead letters with reason %s shown%n", shown, selected.size(), safe(reason, 64));
            out.flush();
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Sends the dead letters of a reason back to the topic they came from (key, value and MQTT "
                    + "topic header as they were), each at most once. Fix the cause first.")
    static final class Replay extends Subcommand {
        @Option(names = "--reason", paramLabel = "R", required = true,
                description = "Replay the dead letters of this reason, or of this contract rule.")
        String reason;

        @Option(names = "--dry-run", description = "Count what would be replayed; send nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DeadLetters.ReplayResult result = open().replay(predicate(reason), dryRun);
            out.printf("%s %d dead letters with reason %s%s; %d replayed before (skipped); %d not replayable "
                    + "(refused at the gateway: no source topic)%n", dryRun ? "would replay" : "replayed",
                    dryRun ? result.toTopics().values().stream().mapToInt(Integer::intValue).sum() : result.replayed(),
                    safe(reason, 64), result.toTopics().isEmpty() ? "" : " to " + result.toTopics(),
                    result.alreadyReplayed(), result.notReplayable());
            out.flush();
            return 0;
        }
    }

    /** Device-supplied text on a terminal: control characters shown as '?', cut to a width. */
    static String safe(String text, int max) {
        String s = text.replaceAll("\\p{Cntrl}", "?");
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
