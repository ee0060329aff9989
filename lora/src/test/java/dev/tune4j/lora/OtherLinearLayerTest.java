package dev.tune4j.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.models.CausalLM;
import dev.tune4j.nn.DenseWeight;
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

    /**
     * Stands in for a quantized linear that can show its weight densely: it keeps the weight
     * transposed ([in, out], another storage form) and computes with a transposed copy.
     */
    static final class TransposedStorageLinear extends Module implements LinearLayer, DenseWeight {
        private final dev.tune4j.backend.Backend backend;
        private Tensor stored;
        int replaced;

        TransposedStorageLinear(Linear l) {
            this.backend = l.backend();
            this.stored = transpose(l.weight().value().toF32());
        }

        private static Tensor transpose(Tensor w) {
            int r = w.dim(0);
            int c = w.dim(1);
            float[] d = w.toFloatArray();
            float[] t = new float[d.length];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    t[j * r + i] = d[i * c + j];
                }
            }
            return Tensor.of(t, c, r);
        }

        @Override
        public Tensor forward(Tensor x) {
            return backend.linear(x, transpose(stored), null);
        }

        @Override
        public int inFeatures() {
            return stored.dim(0);
        }

        @Override
        public int outFeatures() {
            return stored.dim(1);
        }

        @Override
        public Tensor dequantizedWeight() {
            return transpose(stored);
        }

        @Override
        public void replaceWeight(Tensor dense, boolean requantize) {
            stored = transpose(dense);
            replaced++;
        }
    }

    @Test
    void mergeOntoADenseWeightLayerEqualsBasePlusAdapterAndUnmergeRestoresIt() {
        LoraConfig config = LoraConfig.builder().targetModules("q_proj", "v_proj").initLoraWeights(false).build();
        CausalLM model = g.base();
        String path = "model.layers.0.self_attn.q_proj";
        var parent = model.module().findParent(path).orElseThrow();
        TransposedStorageLinear layer = new TransposedStorageLinear((Linear) parent.getKey().child(parent.getValue()));
        parent.getKey().replaceChild(parent.getValue(), layer);
        try (PeftModel peft = PeftModel.getPeftModel(model, config)) {
            float[] before = g.logits(peft, 2).toFloatArray();
            float[] base = layer.dequantizedWeight().toFloatArray();
            peft.mergeAdapter();
            assertEquals(1, layer.replaced);
            float[] merged = g.logits(peft, 2).toFloatArray();
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i], merged[i], 1e-4, "logit " + i);
            }
            peft.unmergeAdapter();
            float[] restored = layer.dequantizedWeight().toFloatArray();
            for (int i = 0; i < base.length; i++) {
                assertEquals(base[i], restored[i], 1e-6, "weight " + i);
            }
        }
    }
}
