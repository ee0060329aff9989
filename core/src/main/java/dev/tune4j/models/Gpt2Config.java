package dev.tune4j.models;

/** Config of GPT-2 ({@code model_type: gpt2}). */
public final class Gpt2Config extends ModelConfig {
    private final int nPositions;
    private final int nInner;
    private final String activationFunction;
    private final double layerNormEpsilon;
    private final boolean scaleAttnWeights;
    private final boolean scaleAttnByInverseLayerIdx;

    Gpt2Config(ConfigReader r) {
        super(r, r.requireInt("vocab_size"), r.requireInt("n_embd"), r.requireInt("n_layer"), r.requireInt("n_head"), true);
        this.nPositions = r.getInt("n_positions", 1024);
        Integer inner = r.getIntOrNull("n_inner");
        this.nInner = inner != null ? inner : 4 * hiddenSize();
        this.activationFunction = r.getString("activation_function", "gelu_new");
        this.layerNormEpsilon = r.getDouble("layer_norm_epsilon", 1e-5);
        this.scaleAttnWeights = r.getBool("scale_attn_weights", true);
        this.scaleAttnByInverseLayerIdx = r.getBool("scale_attn_by_inverse_layer_idx", false);
        if (hiddenSize() % numAttentionHeads() != 0) {
            throw new IllegalArgumentException(r.source() + ": n_embd " + hiddenSize()
                    + " is not divisible by n_head " + numAttentionHeads());
        }
    }

    public int nPositions() {
        return nPositions;
    }

    public int nInner() {
        return nInner;
    }

    public String activationFunction() {
        return activationFunction;
    }

    public double layerNormEpsilon() {
        return layerNormEpsilon;
    }

    public boolean scaleAttnWeights() {
        return scaleAttnWeights;
    }

    public boolean scaleAttnByInverseLayerIdx() {
        return scaleAttnByInverseLayerIdx;
    }
}
