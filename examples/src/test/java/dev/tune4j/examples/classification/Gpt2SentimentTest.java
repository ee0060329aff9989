package dev.tune4j.examples.classification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.examples.embedded.EmbeddedModel;
import dev.tune4j.examples.support.ExampleArgs;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2SentimentTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void labelTokenFineTuningRaisesEvalAccuracy() {
        Gpt2Sentiment.Result r = Gpt2Sentiment.run(new ExampleArgs(null, tmp, 120, List.of()), QUIET);
        assertTrue(r.accuracyAfter() >= 0.7 && r.accuracyAfter() > r.accuracyBefore() + 0.15,
                r.accuracyBefore() + " -> " + r.accuracyAfter());
        assertTrue(r.lastLoss() < r.firstLoss() / 2, r.firstLoss() + " -> " + r.lastLoss());
    }

    @Test
    void runsOnAGpt2CheckpointWithLoraOnItsConv1dLayers() {
        Path dir = tmp.resolve("gpt2");
        int vocab = AutoTokenizer.fromPretrained(EmbeddedModel.extract(dir)).vocabSize();
        String config = """
                {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": %d, "n_embd": 64,
                 "n_layer": 2, "n_head": 4, "n_positions": 128, "bos_token_id": 1, "eos_token_id": 2,
                 "initializer_range": 0.02, "torch_dtype": "float32"}""".formatted(vocab);
        try (CausalLM gpt2 = AutoModelForCausalLM.fromConfig(AutoConfig.fromJson(config, "tiny gpt2"), 3)) {
            gpt2.savePretrained(dir);
        }
        try (CausalLM back = AutoModelForCausalLM.fromPretrained(dir)) {
            assertEquals("GPT2LMHeadModel", back.config().architecture());
        }
        // From random weights only the LoRA factors on c_attn, c_proj and c_fc train: the label loss falls.
        Gpt2Sentiment.Result r = Gpt2Sentiment.run(new ExampleArgs(dir, tmp.resolve("out"), 30, List.of()), QUIET);
        assertTrue(r.firstLoss() > 4.0 && r.lastLoss() < r.firstLoss() - 0.3, r.firstLoss() + " -> " + r.lastLoss());
    }
}
