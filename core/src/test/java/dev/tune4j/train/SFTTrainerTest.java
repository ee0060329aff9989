package dev.tune4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.data.Dataset;
import dev.tune4j.models.AutoConfig;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.testing.SharedData;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SFTTrainerTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void messagesDatasetTrainsThroughTheChatTemplate(boolean packing) {
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(SharedData.require("tokenizers/qwen2_5"));
        String config = TrainerTest.TINY.replace("\"vocab_size\": 32", "\"vocab_size\": " + tok.vocabSize());
        List<Map<String, Object>> rows = new ArrayList<>();
        String[][] qa = {{"1+1?", "2"}, {"2+2?", "4"}, {"3+3?", "6"}, {"4+4?", "8"}};
        for (String[] p : qa) {
            rows.add(Map.of("messages", List.of(Map.of("role", "user", "content", p[0]),
                    Map.of("role", "assistant", "content", p[1]))));
        }
        try (CausalLM model = AutoModelForCausalLM.fromConfig(AutoConfig.fromJson(config, "tiny"), 5)) {
            model.module().requiresGrad(true);
            var args = TrainingArguments.builder().outputDir(tmp).perDeviceTrainBatchSize(2).learningRate(1e-2)
                    .maxSteps(16).loggingSteps(1).saveStrategy("no").reportTo(List.of()).shuffleTrainData(false).build();
            var sft = new SFTTrainer(model, SFTConfig.builder(args).maxLength(64).packing(packing).build(),
                    Dataset.fromList(rows), null, tok);
            sft.train();
            var history = sft.state().logHistory;
            double first = ((Number) history.get(0).get("loss")).doubleValue();
            double last = ((Number) history.get(history.size() - 2).get("loss")).doubleValue();
            // Starting near ln(vocab) = 11.9 nats, 16 steps on 4 repeated answers drive the loss far down.
            assertTrue(first > 9 && last < first / 2, "loss went from " + first + " to " + last);
        }
    }
}
