package dev.tune4j.tokenizers;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the reference data folder {@code shared/} that sits beside a checkout.
 *
 * <p>Tests that need it call {@link #require(String)}: on a fresh clone without the folder they
 * are skipped with a message; with {@code TUNE4J_REQUIRE_SHARED=1} (set by {@code .ci/run}) a
 * missing folder fails the test instead.
 */
public final class SharedData {
    private SharedData() {}

    /** The shared folder, or null when it cannot be found. */
    public static Path root() {
        String env = System.getenv("TUNE4J_SHARED");
        if (env != null && Files.isDirectory(Path.of(env))) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("golden")) || Files.isDirectory(candidate.resolve("tokenizers"))) {
                return candidate.normalize();
            }
        }
        return null;
    }

    /** Resolves {@code relative} inside the shared folder, skipping (or failing, in CI) when absent. */
    public static Path require(String relative) {
        Path root = root();
        Path p = root == null ? null : root.resolve(relative);
        if (p == null || !Files.exists(p)) {
            String msg = "reference data ../shared/" + relative + " not found"
                    + " (set TUNE4J_SHARED to the folder holding golden/ and tokenizers/)";
            if ("1".equals(System.getenv("TUNE4J_REQUIRE_SHARED"))) {
                Assertions.fail(msg + "; TUNE4J_REQUIRE_SHARED=1 makes this a failure");
            }
            Assumptions.abort(msg + "; skipping");
        }
        return p;
    }
}
