package io.tributary.gateway.cli;

import io.tributary.contract.metadata.DeviceLabels;
import io.tributary.contract.registry.DeviceRegistryClient;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code devices label ID [KEY=VALUE ...] [--unlabel KEY ...]}: changes a device's labels in the compacted
 * {@code {prefix}device-metadata} topic while everything runs; processors see the change within a poll.
 */
@Command(name = "label", mixinStandardHelpOptions = true,
        description = "Set (KEY=VALUE) or remove (--unlabel KEY) labels of a device; prints its labels after.")
final class LabelCommand extends DevicesMain.RegistryCommand {

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "KEY=VALUE",
            description = "Labels to add or replace, e.g. site=plant-4.")
    List<String> set = List.of();

    @Option(names = "--unlabel", paramLabel = "KEY", description = "A label to remove (repeatable).")
    List<String> unset = List.of();

    @Override
    void check() {
        Map<String, String> labels = toMap(set);
        if (labels.isEmpty() && unset.isEmpty()) {
            throw new IllegalArgumentException("give at least one KEY=VALUE or --unlabel KEY");
        }
        unset.stream().filter(labels::containsKey).findFirst().ifPresent(key -> {
            throw new IllegalArgumentException("label '" + key + "' is both set and removed");
        });
    }

    @Override
    int run(DeviceRegistryClient client, PrintWriter out) {
        DeviceLabels now = client.label(id, toMap(set), new LinkedHashSet<>(unset));
        out.println("Labels of '" + id + "': " + format(now));
        return CommandLine.ExitCode.OK;
    }

    /**
     * {@code KEY=VALUE} arguments as a map, sorted by key.
     *
     * @throws IllegalArgumentException for one that breaks a label rule, a key given twice, too many labels
     */
    static Map<String, String> toMap(List<String> keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String keyValue : keyValues) {
            Map.Entry<String, String> label = DeviceLabels.parse(keyValue);
            if (map.put(label.getKey(), label.getValue()) != null) {
                throw new IllegalArgumentException("label '" + label.getKey() + "' is given twice");
            }
        }
        return DeviceLabels.checked(map);
    }

    /** {@code kind=motor,site=plant-3}, or {@code -} for none. */
    static String format(DeviceLabels labels) {
        return labels.labels().isEmpty() ? "-" : labels.labels().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}
