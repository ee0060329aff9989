package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Adapters written by peft 0.13.2 load and reproduce peft's logits. */
class PeftGoldenTest {
    static Goldens g;

    @BeforeAll
    static void load() {
        g = new Goldens();
    }

    @Test
    void pythonAdapterGivesPeftLogits() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"))) {
            assertEquals(14, peft.loraLayers().size());
            assertEquals(2.0, peft.loraLayers().values().iterator().next().scaling("default"));
            g.assertLogits("lora_logits", peft);
        }
    }

    @Test
    void secondAdapterGivesItsLogits() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter2"), "second", false)) {
            g.assertLogits("adapter2_logits", peft);
        }
    }

    @Test
    void rsloraScalesByAlphaOverSqrtR() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("rslora_adapter"))) {
            assertEquals(16 / Math.sqrt(8), peft.loraLayers().values().iterator().next().scaling("default"), 1e-12);
            g.assertLogits("rslora_logits", peft);
        }
    }

    @Test
    void doraAdapterGivesPeftLogits() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("dora_adapter"))) {
            g.assertLogits("dora_logits", peft);
        }
    }

    @Test
    @SuppressWarnings("try") // the scope is the point: adapters are off inside it
    void disabledAdapterGivesBaseLogits() {
        try (PeftModel peft = PeftModel.fromPretrained(g.base(), g.peft.resolve("adapter"))) {
            try (var off = peft.disableAdapter()) {
                Goldens.assertClose("base logits_1", g.expected("logits_1"), g.logits(peft, 1), null, Goldens.ATOL);
            }
            Goldens.assertClose("lora_logits_1 after the scope", g.expected("lora_logits_1"), g.logits(peft, 1), null,
                    Goldens.ATOL);
        }
    }
}
