package dev.tune4j.examples.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.examples.support.ExactMatch;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedModelTest {
    @TempDir
    Path tmp;

    @Test
    void shippedModelAnswersTheTasksInItsPretrainingPhrasingButNotInAlpaca() {
        Path dir = EmbeddedModel.extract(tmp.resolve("base"));
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(dir);
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(dir)) {
            assertEquals("LlamaForCausalLM", model.config().architecture());
            List<String[]> pairs = new ArrayList<>();
            for (SkillTasks.Task t : SkillTasks.sample(40, 7)) {
                pairs.add(new String[] {t.instruction(), t.output()});
            }
            // The expected answers come from the rules themselves (reverse, numeral table, n + 1).
            double plain = ExactMatch.evaluate(model, tok, pairs, s -> s + " =>\n", 8).accuracy();
            double alpaca = ExactMatch.evaluate(model, tok, pairs, s -> AlpacaPrompt.format(s, ""), 8).accuracy();
            assertTrue(plain >= 0.9, "pre-training phrasing accuracy " + plain);
            assertTrue(alpaca <= 0.1, "Alpaca accuracy before fine-tuning " + alpaca);
        }
    }

    @Test
    void tokenizerRoundTripsEnglishAndChinese() {
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(EmbeddedModel.extract(tmp.resolve("tok")));
        for (String s : List.of("Reverse the digits 3 1 4", "用中文数字写 7 => 七", "<|im_start|>user\nhi<|im_end|>")) {
            int[] ids = tok.encode(s, false).ids();
            assertEquals(s, tok.decode(ids, false));
        }
        assertEquals(2, tok.eosTokenId().orElseThrow());
        assertEquals(0, tok.padTokenId().orElseThrow());
        assertEquals(BuildEmbeddedModel.VOCAB_SIZE, tok.vocabSize());
    }

    @Test
    void datasetIsAlpacaWithRuleFollowingAnswers() {
        List<Map<String, Object>> rows = EmbeddedModel.alpacaRows();
        assertEquals(BuildEmbeddedModel.DATASET_SIZE, rows.size());
        boolean chinese = false;
        for (Map<String, Object> row : rows) {
            String ins = (String) row.get("instruction");
            String out = (String) row.get("output");
            assertEquals("", row.get("input"));
            chinese |= ins.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
            if (ins.matches(".*\\d \\d \\d")) {
                String digits = ins.substring(ins.length() - 5);
                assertEquals(new StringBuilder(digits).reverse().toString(), out, ins);
            }
        }
        assertTrue(chinese, "the dataset has Chinese instructions");
    }

    @Test
    void buildIsDeterministic() throws Exception {
        BuildEmbeddedModel.build(tmp.resolve("a"), 6);
        BuildEmbeddedModel.build(tmp.resolve("b"), 6);
        for (String f : EmbeddedModel.FILES) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a/tiny-llama").resolve(f)),
                    Files.readAllBytes(tmp.resolve("b/tiny-llama").resolve(f)), f);
        }
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/skills_alpaca.json")),
                Files.readAllBytes(tmp.resolve("b/skills_alpaca.json")));
        // The tokenizer does not depend on training steps: the shipped one is what the build makes.
        assertArrayEquals(EmbeddedModel.class.getResourceAsStream(EmbeddedModel.RESOURCE_DIR + "/tokenizer.json").readAllBytes(),
                Files.readAllBytes(tmp.resolve("a/tiny-llama/tokenizer.json")));
    }
}
