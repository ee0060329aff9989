package dev.tune4j.models;

/**
 * Config of the Llama family: {@code llama}, {@code mistral} and {@code qwen2} share one decoder
 * (RMSNorm, RoPE, GQA attention, SwiGLU MLP) and differ only in these fields: Qwen2 has q/k/v
 * biases, Mistral and Qwen2 may use a sliding window.
 */
public final class LlamaConfig extends ModelConfig {
    private final int intermediateSize;
    private final int numKeyValueHeads;
    private final int headDim;
    private final int maxPositionEmbeddings;
    private final double rmsNormEps;
    private final double ropeTheta;
    private final RopeScaling ropeScaling;
    private final boolean attentionBias;
    private final boolean qkvBias;
    private final boolean mlpBias;
    private final String hiddenAct;
    private final Integer slidingWindow;
    private final boolean useSlidingWindow;
    private final int maxWindowLayers;

    LlamaConfig(ConfigReader r) {
        super(r, r.requireInt("vocab_size"), r.requireInt("hidden_size"), r.requireInt("num_hidden_layers"),
                r.requireInt("num_attention_heads"), false);
        String type = modelType();
        this.intermediateSize = r.requireInt("intermediate_size");
        this.numKeyValueHeads = r.getInt("num_key_value_heads", numAttentionHeads());
        Integer hd = r.getIntOrNull("head_dim");
        this.headDim = hd != null ? hd : hiddenSize() / numAttentionHeads();
        this.maxPositionEmbeddings = r.getInt("max_position_embeddings", 2048);
        this.rmsNormEps = r.getDouble("rms_norm_eps", 1e-6);
        this.ropeTheta = r.getDouble("rope_theta", 10000.0);
        this.ropeScaling = RopeScaling.from(r.getObject("rope_scaling"), r.source());
        this.attentionBias = r.getBool("attention_bias", false);
        this.qkvBias = "qwen2".equals(type) || attentionBias;
        this.mlpBias = r.getBool("mlp_bias", false);
        this.hiddenAct = r.getString("hidden_act", "silu");
        this.slidingWindow = r.getIntOrNull("sliding_window");
        this.useSlidingWindow = "mistral".equals(type) ? slidingWindow != null
                : "qwen2".equals(type) && r.getBool("use_sliding_window", false);
        this.maxWindowLayers = r.getInt("max_window_layers", numHiddenLayers());
        positive(r, "num_key_value_heads", numKeyValueHeads);
        positive(r, "intermediate_size", intermediateSize);
        positive(r, "head_dim", headDim);
        positive(r, "max_position_embeddings", maxPositionEmbeddings);
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new IllegalArgumentException(r.source() + ": rope_theta must be a positive finite number, found " + ropeTheta);
        }
        if (!(rmsNormEps >= 0) || Double.isInfinite(rmsNormEps)) {
            // a negative epsilon makes the RMSNorm of a small row the root of a negative number: NaN logits
            throw new IllegalArgumentException(r.source() + ": rms_norm_eps must be a finite number >= 0, found " + rmsNormEps);
        }
        if (numAttentionHeads() % numKeyValueHeads != 0) {
            throw new IllegalArgumentException(r.source() + ": num_attention_heads " + numAttentionHeads()
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException(r.source() + ": head_dim " + headDim + " must be even for RoPE");
        }
        if (!"silu".equals(hiddenAct)) {
            throw new IllegalArgumentException(r.source() + ": hidden_act '" + hiddenAct + "' is not supported; expected silu");
        }
    }

    public int intermediateSize() {
        return intermediateSize;
    }

    public int numKeyValueHeads() {
        return numKeyValueHeads;
    }

    public int headDim() {
        return headDim;
    }

    public int maxPositionEmbeddings() {
        return maxPositionEmbeddings;
    }

    public double rmsNormEps() {
        return rmsNormEps;
    }

    public double ropeTheta() {
        return ropeTheta;
    }

    public RopeScaling ropeScaling() {
        return ropeScaling;
    }

    /** Whether o_proj has a bias ({@code attention_bias}). */
    public boolean attentionBias() {
        return attentionBias;
    }

    /** Whether q/k/v projections have biases (Qwen2 always; Llama with attention_bias). */
    public boolean qkvBias() {
        return qkvBias;
    }

    public boolean mlpBias() {
        return mlpBias;
    }

    /**
     * The sliding window used by layer {@code layer}, or 0 for full attention. Mistral applies its
     * window everywhere; Qwen2 only with use_sliding_window, on layers from max_window_layers on.
     */
    public int slidingWindowFor(int layer) {
        if (!useSlidingWindow || slidingWindow == null) {
            return 0;
        }
        if ("qwen2".equals(modelType()) && layer < maxWindowLayers) {
            return 0;
        }
        return slidingWindow;
    }

    private static void positive(ConfigReader r, String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(r.source() + ": " + key + " must be a positive integer, found " + value);
        }
    }
}
