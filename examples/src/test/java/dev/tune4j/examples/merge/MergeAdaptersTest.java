package dev.tune4j.examples.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.examples.cli.Tune4jCli;
import dev.tune4j.examples.support.ExampleArgs;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeAdaptersTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private static float[] logits(CausalLM m, int[] ids) {
        return m.forward(new int[][] {ids}, null, null).logits().toFloatArray();
    }

    @Test
    void combinesTrainsMergesAndReloads() throws Exception {
        MergeAdapters.Result r = MergeAdapters.run(new ExampleArgs(null, tmp, 40, List.of()), QUIET);
        // The merged checkpoint answers as the combined adapter did before merging.
        assertEquals(r.combined(), r.mergedReloaded(), 1e-9);
        Path base = tmp.resolve("base");
        int[] ids = {5, 60, 70, 80, 90, 100, 110};

        // "cat" with weights 1 and 1 is the sum of both updates: the same as both adapters active at once.
        try (CausalLM model = AutoModelForCausalLM.fromPretrained(base)) {
            PeftModel peft = PeftModel.fromPretrained(model, r.englishAdapter(), "en", false);
            peft.loadAdapter(r.chineseAdapter(), "zh");
            peft.setAdapters(List.of("en", "zh"));
            float[] both = logits(peft, ids);
            peft.addWeightedAdapter(List.of("en", "zh"), List.of(1.0, 1.0), "cat", "cat");
            peft.setAdapter("cat");
            float[] cat = logits(peft, ids);
            for (int i = 0; i < both.length; i++) {
                assertEquals(both[i], cat[i], 1e-4f, "logit " + i);
            }
        }

        // The command line merges the same way as the example.
        int code = Tune4jCli.run(new String[] {"merge", "--base", base.toString(), "--adapter", r.englishAdapter() + ":0.5",
                "--adapter", r.chineseAdapter() + ":0.5", "--combination", "cat", "--out", tmp.resolve("cli").toString()},
                new ByteArrayInputStream(new byte[0]), QUIET, QUIET);
        assertEquals(0, code);
        try (CausalLM a = AutoModelForCausalLM.fromPretrained(r.mergedDir());
             CausalLM b = AutoModelForCausalLM.fromPretrained(tmp.resolve("cli"))) {
            assertArrayEquals(logits(a, ids), logits(b, ids));
        }
        assertTrue(Files.isRegularFile(tmp.resolve("cli/tokenizer.json")));
    }
}
