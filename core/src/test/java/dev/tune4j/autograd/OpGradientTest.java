package dev.tune4j.autograd;

import static dev.tune4j.autograd.GradCheck.check;
import static dev.tune4j.autograd.GradCheck.randn;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.models.KvCache;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every op's backward against finite differences. */
class OpGradientTest {
    private static final AutogradBackend B = AutogradBackend.CPU;
    private final SplittableRandom r = new SplittableRandom(5);

    @Test
    void linearAndConv1d() {
        check("linear", t -> B.linear(t[0], t[1], t[2]), randn(r, 5, 7), randn(r, 3, 7), randn(r, 3));
        check("conv1d", t -> B.conv1d(t[0], t[1], t[2]), randn(r, 5, 7), randn(r, 7, 3), randn(r, 3));
    }

    @Test
    void linearThroughFrozenBf16Weight() {
        Tensor w = randn(r, 9, 6).to(DType.BF16);        // a memory-segment weight, as loaded from a checkpoint
        check("linear(bf16 W)", t -> B.linear(t[0], w, null), randn(r, 4, 6));
    }

    @Test
    void embeddingAndShapeOps() {
        int[] ids = {3, 1, 3, 0};
        check("embedding", t -> B.embedding(t[0], ids), randn(r, 5, 4));
        check("split", t -> B.split(t[0], 2, 3, 1)[1], randn(r, 4, 6));
        check("selectRows", t -> B.selectRows(t[0], new int[] {3, 0, 3}), randn(r, 4, 5));
    }

    @Test
    void elementwise() {
        check("add", t -> B.add(t[0], t[1]), randn(r, 3, 4), randn(r, 3, 4));
        check("scale", t -> B.scale(t[0], -1.7f), randn(r, 3, 4));
        check("mul", t -> B.mul(t[0], t[1]), randn(r, 3, 4), randn(r, 3, 4));
        check("mulRowVector", t -> B.mulRowVector(t[0], t[1]), randn(r, 3, 4), randn(r, 4));
        check("swiglu", t -> B.swiglu(t[0], t[1]), randn(r, 3, 8), randn(r, 3, 8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gelu_new", "gelu", "silu"})
    void activations(String name) {
        check(name, t -> B.activation(t[0], name), randn(r, 4, 6));
    }

    @Test
    void norms() {
        Tensor w = randn(r, 8);
        check("rmsNorm", t -> B.rmsNorm(t[0], t[1], 1e-6f), randn(r, 3, 8), w);
        check("layerNorm", t -> B.layerNorm(t[0], t[1], t[2], 1e-5f), randn(r, 3, 8), randn(r, 8), randn(r, 8));
    }

    @Test
    void rotaryEmbedding() {
        Tensor cos = randn(r, 3, 4);
        Tensor sin = randn(r, 3, 4);
        check("rope", t -> B.rope(t[0], 2, cos, sin), randn(r, 3, 16));
    }

    @Test
    void dropoutReplaysItsMask() {
        check("dropout", t -> B.dropout(t[0], 0.3f, new SplittableRandom(11)), randn(r, 4, 5));
    }

    @Test
    void crossEntropyWithIgnoredLabels() {
        int[] labels = {2, -100, 0, 4};
        check("crossEntropy", t -> B.crossEntropyLoss(t[0], labels), randn(r, 4, 5));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void groupedQueryAttentionWithPaddingAndWindow(int window) {
        int batch = 2;
        int seq = 5;
        int heads = 4;
        int kvHeads = 2;
        int d = 3;
        int[][] mask = {{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}};
        check("attention(window " + window + ")", t -> {
            KvCache cache = new KvCache(1, batch, kvHeads * d, seq);
            var spec = new AttentionSpec(batch, seq, 0, cache.capacity(), heads, kvHeads, d, 0.6f, mask, window,
                    AttentionSpec.MaskedRows.ALL_KEYS);
            return B.attention(t[0], t[1], t[2], cache, 0, spec);
        }, randn(r, batch * seq, heads * d), randn(r, batch * seq, kvHeads * d), randn(r, batch * seq, kvHeads * d));
    }

    @Test
    void packedDocumentsAttention() {
        int[][] docs = {{1, 1, 2, 2, 2, 3}};
        check("attention(packed)", t -> {
            KvCache cache = new KvCache(1, 1, 4, 6);
            var spec = new AttentionSpec(1, 6, 0, cache.capacity(), 2, 1, 4, 0.5f, docs, 0,
                    AttentionSpec.MaskedRows.ALL_KEYS);
            return B.attention(t[0], t[1], t[2], cache, 0, spec);
        }, randn(r, 6, 8), randn(r, 6, 4), randn(r, 6, 4));
    }
}
