package io.tributary.agent.sensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading the small text files the kernel exposes under /sys and /proc; every failure is a short reason. */
final class KernelText {

    private KernelText() {
    }

    static String readText(Path file) throws SensorException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new SensorException(file + " does not exist");
        } catch (IOException e) {
            throw new SensorException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static double firstNumber(String text, String what) throws SensorException {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new SensorException(what + " is empty");
        }
        return parse(trimmed.split("\\s+")[0], what);
    }

    static double firstNumberIn(Path file) throws SensorException {
        return firstNumber(readText(file), file.toString());
    }

    static double parse(String token, String what) throws SensorException {
        try {
            double v = Double.parseDouble(token);
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new SensorException(what + ": '" + abbreviate(token) + "' is not a number");
        }
    }

    /** The directory {@code base/prefix*} whose {@code name} file holds {@code name} (hwmon, IIO devices). */
    static Path findByName(Path base, String prefix, String name) throws SensorException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, prefix + "*")) {
            for (Path dir : dirs) {
                Path nameFile = dir.resolve("name");
                if (Files.isReadable(nameFile) && readText(nameFile).strip().equals(name)) {
                    return dir;
                }
            }
        } catch (IOException e) {
            throw new SensorException("cannot list " + base + ": " + e.getMessage());
        }
        throw new SensorException("no " + prefix + " device named '" + name + "' under " + base);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
