package dev.tune4j.io.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Test helpers shared by the hub tests: settings against a loopback server, payloads, cache listings. */
final class HubFixtures {
    static final String COMMIT = "4f1e9c0b7a3d2e6f8a9b0c1d2e3f4a5b6c7d8e9f";
    static final String REPO = "org/tiny";
    static final byte[] CONFIG = "{\n  \"model_type\": \"llama\",\n  \"hidden_size\": 64\n}\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] VOCAB = "hello\nworld\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] README = "# tiny\n".getBytes(StandardCharsets.UTF_8);
    static final byte[] WEIGHTS = randomBytes(300_000, 42);

    private HubFixtures() {}

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The synthetic repo org/tiny: two regular files (one nested), an LFS file, a README. */
    static HubTestServer.Repo tinyRepo(HubTestServer server) {
        return server.repo(REPO, COMMIT)
                .file("config.json", CONFIG)
                .lfsFile("model.safetensors", WEIGHTS)
                .file("sub/dir/vocab.txt", VOCAB)
                .file("README.md", README)
                .tag("v1.0");
    }

    /** Settings of a fresh cache under {@code tmp} talking to {@code endpoint}, with short waits for tests. */
    static HubSettings settings(Path tmp, String endpoint) {
        return HubSettings.fromEnvironment(Map.of(
                        "HF_HOME", tmp.resolve("hf-home").toString(),
                        "HF_HUB_CACHE", tmp.resolve("hub-cache").toString(),
                        "HF_ENDPOINT", endpoint))
                .toBuilder()
                .retryWait(Duration.ofMillis(10))
                .etagTimeout(Duration.ofSeconds(5))
                .downloadTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Every file and symlink under {@code root}, as '/'-separated relative paths, sorted. */
    static TreeSet<String> listing(Path root) {
        TreeSet<String> out = new TreeSet<>();
        if (!Files.exists(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> Files.isSymbolicLink(p) || Files.isRegularFile(p))
                    .forEach(p -> out.add(root.relativize(p).toString().replace('\\', '/')));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String readString(Path p) {
        return new String(read(p), StandardCharsets.UTF_8);
    }

    static void assertNoServerThreads() {
        assertEquals(java.util.List.of(), HubTestServer.liveServerThreads(), "server threads outlived the test");
    }
}
