package dev.tune4j.lora.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.KvCache;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PeftModel#step} with one adapter per row, against peft's logits (the goldens written by
 * Python): the last position of a left-padded two-row batch, row 0 on the base, row 1 on the adapter.
 */
class PeftModelStepTest {
    @Test
    void stepWithRowAdaptersMatchesPeftGoldens() {
        Path llama = SharedData.require("golden/llama_tiny");
        Path peftDir = SharedData.require("golden/peft_lora_llama_tiny");
        int[][] ids;
        int[][] mask;
        int[][] pos;
        float[] base;
        try (SafetensorsFile f = SafetensorsFile.open(llama.resolve("expected.safetensors"))) {
            ids = ints(f.tensor("input_ids_3"));
            mask = ints(f.tensor("attention_mask_3"));
            pos = ints(f.tensor("position_ids_3"));
            base = f.tensor("logits_3").toFloatArray();
        }
        float[] lora;
        try (SafetensorsFile f = SafetensorsFile.open(peftDir.resolve("expected.safetensors"))) {
            lora = f.tensor("lora_logits_3").toFloatArray();
        }
        int seq = ids[0].length;
        try (PeftModel peft = PeftModel.fromPretrained(AutoModelForCausalLM.fromPretrained(llama), peftDir.resolve("adapter"))) {
            KvCache cache = ((PreTrainedCausalLM) peft.getBaseModel()).newCache(2, seq);
            float[][] logits = peft.step(cache, ids, pos, mask, List.of("__base__", "default"));
            int vocab = logits[0].length;
            for (int v = 0; v < vocab; v++) {
                assertEquals(base[((0 * seq) + seq - 1) * vocab + v], logits[0][v], 1e-4, "base row, token " + v);
                assertEquals(lora[((1 * seq) + seq - 1) * vocab + v], logits[1][v], 1e-4, "adapter row, token " + v);
            }
            assertEquals(seq, cache.length());
            var e = assertThrows(IllegalArgumentException.class,
                    () -> peft.step(cache, new int[][] {{5}, {6}}, new int[][] {{9}, {9}}, null, List.of("default", "x")));
            assertEquals(true, e.getMessage().contains("x"), e.getMessage());
        }
    }

    private static int[][] ints(Tensor t) {
        long[] v = t.toLongArray();
        int[][] out = new int[t.dim(0)][t.dim(1)];
        for (int r = 0; r < out.length; r++) {
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = (int) v[r * out[r].length + c];
            }
        }
        return out;
    }
}
