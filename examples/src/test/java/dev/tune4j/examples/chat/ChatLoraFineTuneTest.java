package dev.tune4j.examples.chat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.examples.support.ExampleArgs;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatLoraFineTuneTest {
    @TempDir
    Path tmp;

    @Test
    void chatMlFineTuningTeachesTheHeldOutAnswers() throws Exception {
        ChatLoraFineTune.Result r = ChatLoraFineTune.run(new ExampleArgs(null, tmp, 250, List.of()),
                new PrintStream(OutputStream.nullOutputStream()));
        assertTrue(r.accuracyBefore() <= 0.1, "before " + r.accuracyBefore());
        assertTrue(r.accuracyAfter() >= 0.6, "after " + r.accuracyAfter());
        assertTrue(r.lastLoss() < r.firstLoss() / 4, r.firstLoss() + " -> " + r.lastLoss());
        String config = Files.readString(r.adapterDir().resolve("adapter_config.json"));
        assertTrue(config.contains("\"peft_type\": \"LORA\"") && config.contains("\"q_proj\""), config);
        assertTrue(Files.size(r.adapterDir().resolve("adapter_model.safetensors")) > 0);
    }
}
