package dev.tune4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tune4j.testing.SharedData;
import org.junit.jupiter.api.Test;

/** Packed rows (position ids restarting at 0) give each document the logits it has alone. */
class PackingTest {
    @Test
    void documentsInOneRowDoNotSeeEachOther() {
        try (CausalLM m = AutoModelForCausalLM.fromPretrained(SharedData.require("golden/llama_tiny"))) {
            int[] a = {5, 17, 42, 99};
            int[] b = {7, 3, 250};
            int[][] packed = {{5, 17, 42, 99, 7, 3, 250}};
            int[][] pos = {{0, 1, 2, 3, 0, 1, 2}};
            float[] joint = m.forward(packed, null, pos).logits().toFloatArray();
            float[] alone1 = m.forward(new int[][] {a}, null, null).logits().toFloatArray();
            float[] alone2 = m.forward(new int[][] {b}, null, null).logits().toFloatArray();
            int v = m.config().vocabSize();
            for (int i = 0; i < alone1.length; i++) {
                assertEquals(alone1[i], joint[i], 1e-5, "document 1, element " + i);
            }
            for (int i = 0; i < alone2.length; i++) {
                assertEquals(alone2[i], joint[4 * v + i], 1e-5, "document 2, element " + i);
            }
        }
    }
}
