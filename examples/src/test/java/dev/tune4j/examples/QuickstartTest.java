package dev.tune4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.examples.embedded.AlpacaPrompt;
import dev.tune4j.examples.embedded.EmbeddedModel;
import dev.tune4j.examples.support.ExactMatch;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartTest {
    @TempDir
    Path tmp;

    @Test
    void fineTuningTurnsHeldOutAccuracyFromNearZeroToHighAndTheFilesReload() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        QuickstartRun.Report r = QuickstartRun.run(new QuickstartRun.Options(null, tmp, 200, 64, out));
        String printed = buf.toString(StandardCharsets.UTF_8);

        assertTrue(r.accuracyBefore() <= 0.1, "before " + r.accuracyBefore());
        assertTrue(r.accuracyAfter() >= 0.8, "after " + r.accuracyAfter());
        assertTrue(r.lastLoss() < r.firstLoss() / 5, "loss " + r.firstLoss() + " -> " + r.lastLoss());
        // Merging folds the same adapter into the weights: the greedy answers agree.
        assertEquals(r.accuracyAfter(), r.accuracyMerged(), 0.02);
        // The printed figures are the measured ones.
        assertTrue(printed.contains(String.format("%.1f%% (before: %.1f%%)", 100 * r.accuracyAfter(), 100 * r.accuracyBefore())), printed);

        assertTrue(Files.isRegularFile(r.adapterDir().resolve("adapter_config.json")));
        assertTrue(Files.isRegularFile(r.adapterDir().resolve("adapter_model.safetensors")));
        assertTrue(Files.isRegularFile(r.mergedDir().resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(r.mergedDir().resolve("tokenizer.json")));
        String svg = Files.readString(r.lossCurve());
        assertTrue(svg.startsWith("<svg") && svg.contains("<polyline"), svg);
        if (r.qloraRan()) {
            assertTrue(r.accuracyQlora() >= 0.7, "QLoRA " + r.accuracyQlora());
            assertTrue(r.qloraBaseWeightBytes() < r.baseWeightBytes(), r.qloraBaseWeightBytes() + " vs " + r.baseWeightBytes());
        }

        // The saved adapter, loaded over a fresh base, answers as the trained one did.
        Path base = EmbeddedModel.extract(tmp.resolve("base2"));
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(base);
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(base)) {
            PeftModel peft = PeftModel.fromPretrained(model, r.adapterDir());
            var greedy = peft.generationConfig().toBuilder().maxNewTokens(8).doSample(false).build();
            for (String[] qa : List.of(new String[] {"Reverse the digits 1 2 3", "3 2 1"}, new String[] {"倒序 9 0 5", "5 0 9"})) {
                assertEquals(qa[1], ExactMatch.generate(peft, tok, AlpacaPrompt.format(qa[0], ""), greedy), qa[0]);
            }
        }
    }
}
