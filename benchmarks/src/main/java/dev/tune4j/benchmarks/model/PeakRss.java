package dev.tune4j.benchmarks.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident set size of this process (Linux VmHWM), for memory figures. */
public final class PeakRss {
    private PeakRss() {}

    /** e.g. "3.21 GB", or "n/a" off Linux. */
    public static String read() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("%.2f GB", kb / 1e6);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "n/a";
        }
        return "n/a";
    }
}
