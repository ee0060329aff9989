package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.models.CausalLM;
import dev.tune4j.nn.Linear;
import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import dev.tune4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A LoRA layer runs over any LinearLayer module (as peft's over bitsandbytes' Linear4bit). */
class OtherLinearLayerTest {
    static Goldens g;

    @BeforeAll
    static void load() {
        g = new Goldens();
    }

    /** Stands in for a quantized linear: computes through an inner Linear, exposes no weight. */
    static final class OpaqueLinear extends Module implements LinearLayer {
        private final Linear inner;

        OpaqueLinear(Linear inner) {
            this.inner = register("inner", inner);
        }

        @Override
        public Tensor forward(Tensor x) {
            return inner.forward(x);
        }

        @Override
        public int inFeatures() {
            return inner.inFeatures();
        }

        @Override
        public int outFeatures() {
            return inner.outFeatures();
        }
    }

    @Test
    void forwardMatchesTheSameAdapterOnALinear() {
        LoraConfig config = LoraConfig.builder().targetModules("q_proj", "v_proj").initLoraWeights(false).build();
        CausalLM plain = g.base();
        CausalLM opaque = g.base();
        for (String path : new String[] {"model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj"}) {
            var parent = opaque.module().findParent(path).orElseThrow();
            Linear l = (Linear) parent.getKey().child(parent.getValue());
            parent.getKey().replaceChild(parent.getValue(), new OpaqueLinear(l));
        }
        try (PeftModel a = PeftModel.getPeftModel(plain, config); PeftModel b = PeftModel.getPeftModel(opaque, config)) {
            assertArrayEquals(g.logits(a, 2).toFloatArray(), g.logits(b, 2).toFloatArray());
            var e = assertThrows(UnsupportedOperationException.class, b::mergeAdapter);
            assertTrue(e.getMessage().contains("OpaqueLinear"), e.getMessage());
        }
    }
}
