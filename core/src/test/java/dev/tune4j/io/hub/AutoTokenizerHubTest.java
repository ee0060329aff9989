package dev.tune4j.io.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tune4j.testing.SharedData;
import dev.tune4j.tokenizers.AutoTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code AutoTokenizer.fromPretrained("org/name")} downloads through core's hub client. */
class AutoTokenizerHubTest {
    @TempDir
    Path tmp;

    HubTestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        HubFixtures.assertNoServerThreads();
    }

    @Test
    void hubIdLoadsTheSameTokenizerAsTheFolder() {
        Path folder = SharedData.require("tokenizers/qwen2_5");
        server = HubTestServer.start();
        server.repoFromFolder("org/qwen-tokenizer", "0123456789abcdef0123456789abcdef01234567", folder,
                List.of("tokenizer.json", "tokenizer_config.json"), Set.of("tokenizer.json"));
        HubClient hub = new HubClient(HubFixtures.settings(tmp, server.endpoint()));
        var viaHub = hub.asDefault(() -> AutoTokenizer.fromPretrained("org/qwen-tokenizer"));
        var local = AutoTokenizer.fromPretrained(folder);
        String text = "Hello, 世界! <|im_start|>user";
        assertArrayEquals(local.encode(text, true).ids(), viaHub.encode(text, true).ids());
    }
}
