package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads the peft goldens (shared/golden/peft_lora_llama_tiny) and compares logits with them. */
final class Goldens {
    static final double ATOL = 1e-4;

    final Path peft = SharedData.require("golden/peft_lora_llama_tiny");
    final Path llama = SharedData.require("golden/llama_tiny");
    private final Map<String, Tensor> expected = new HashMap<>();
    final int[][] ids1;
    final int[][] ids2;
    final int[][] ids3;
    final int[][] mask3;
    final int[][] pos3;

    Goldens() {
        try (SafetensorsFile f = SafetensorsFile.open(llama.resolve("expected.safetensors"))) {
            ids1 = ints(f.tensor("input_ids_1"));
            ids2 = ints(f.tensor("input_ids_2"));
            ids3 = ints(f.tensor("input_ids_3"));
            mask3 = ints(f.tensor("attention_mask_3"));
            pos3 = ints(f.tensor("position_ids_3"));
            expected.put("logits_1", copy(f.tensor("logits_1")));
            expected.put("logits_3", copy(f.tensor("logits_3")));
        }
        try (SafetensorsFile f = SafetensorsFile.open(peft.resolve("expected.safetensors"))) {
            for (String k : f.keys()) {
                expected.put(k, copy(f.tensor(k)));
            }
        }
    }

    /** The peft golden folder (skips the test when absent). */
    static Path sharedPeft() {
        return SharedData.require("golden/peft_lora_llama_tiny");
    }

    CausalLM base() {
        return AutoModelForCausalLM.fromPretrained(llama);
    }

    Tensor expected(String key) {
        Tensor t = expected.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no golden " + key);
        }
        return t;
    }

    /** Forward of input set i (1, 2, or 3 = the padded batch with its mask and positions). */
    Tensor logits(CausalLM m, int i) {
        return switch (i) {
            case 1 -> m.forward(ForwardArgs.of(ids1)).logits();
            case 2 -> m.forward(ForwardArgs.of(ids2)).logits();
            case 3 -> m.forward(new ForwardArgs(ids3, mask3, pos3, null, false)).logits();
            default -> throw new IllegalArgumentException("input " + i);
        };
    }

    /** Asserts {@code prefix_1/2/3} against the model's logits (batch 3 at mask == 1 positions only). */
    void assertLogits(String prefix, CausalLM m) {
        for (int i = 1; i <= 3; i++) {
            assertClose(prefix + "_" + i, expected(prefix + "_" + i), logits(m, i), i == 3 ? mask3 : null, ATOL);
        }
    }

    static void assertClose(String what, Tensor want, Tensor got, int[][] mask, double atol) {
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        float[] w = want.toFloatArray();
        float[] g = got.toFloatArray();
        int vocab = want.dim(-1);
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < w.length; i++) {
            int pos = i / vocab;
            if (mask != null) {
                int seq = mask[0].length;
                if (mask[pos / seq][pos % seq] == 0) {
                    continue;
                }
            }
            double d = Math.abs(w[i] - g[i]);
            if (!(d <= worst)) {
                worst = d;
                worstAt = i;
            }
        }
        if (!(worst <= atol)) {
            throw new AssertionError(what + ": max |diff| " + worst + " > " + atol + " at flat index " + worstAt
                    + " (expected " + w[worstAt] + ", got " + g[worstAt] + ")");
        }
    }

    static void assertAllClose(String what, float[] want, float[] got, double atol) {
        assertEquals(want.length, got.length, what + " size");
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(want[i] - got[i]);
            if (!(d <= worst)) {
                worst = d;
            }
        }
        if (!(worst <= atol)) {
            throw new AssertionError(what + ": max |diff| " + worst + " > " + atol);
        }
    }

    private static Tensor copy(Tensor t) {
        return t.dtype() == dev.tune4j.tensor.DType.F32 ? Tensor.of(t.toFloatArray(), t.shape()) : t.to(t.dtype());
    }

    private static int[][] ints(Tensor t) {
        long[] v = t.toLongArray();
        int rows = t.dim(0);
        int cols = t.dim(1);
        int[][] out = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = (int) v[r * cols + c];
            }
        }
        return out;
    }
}
