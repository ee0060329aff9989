package dev.tune4j.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A model's config.json, read into typed fields. The original JSON object is kept, so that
 * {@code savePretrained} writes back every key, including ones tune4j does not interpret.
 */
public abstract sealed class ModelConfig permits LlamaConfig, Gpt2Config {
    private final ObjectNode json;
    private final String modelType;
    private final int vocabSize;
    private final int hiddenSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final boolean tieWordEmbeddings;
    private final List<Integer> eosTokenIds;
    private final Integer bosTokenId;
    private final Integer padTokenId;
    private final double initializerRange;

    ModelConfig(ConfigReader r, int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
                boolean tieDefault) {
        this.json = r.node().deepCopy();
        this.modelType = r.getString("model_type", "");
        this.vocabSize = vocabSize;
        this.hiddenSize = hiddenSize;
        this.numHiddenLayers = numHiddenLayers;
        this.numAttentionHeads = numAttentionHeads;
        this.tieWordEmbeddings = r.getBool("tie_word_embeddings", tieDefault);
        this.eosTokenIds = List.copyOf(r.getIntList("eos_token_id"));
        this.bosTokenId = r.getIntOrNull("bos_token_id");
        this.padTokenId = r.getIntOrNull("pad_token_id");
        this.initializerRange = r.getDouble("initializer_range", 0.02);
        if (vocabSize <= 0 || hiddenSize <= 0 || numHiddenLayers < 0 || numAttentionHeads <= 0) {
            throw new IllegalArgumentException(r.source() + ": vocab, hidden size and heads must be positive");
        }
    }

    /** A deep copy of the original JSON. */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    public String modelType() {
        return modelType;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numHiddenLayers() {
        return numHiddenLayers;
    }

    public int numAttentionHeads() {
        return numAttentionHeads;
    }

    public boolean tieWordEmbeddings() {
        return tieWordEmbeddings;
    }

    public List<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    /** bos_token_id, or null. */
    public Integer bosTokenId() {
        return bosTokenId;
    }

    /** pad_token_id, or null. */
    public Integer padTokenId() {
        return padTokenId;
    }

    public double initializerRange() {
        return initializerRange;
    }

    /** The first entry of {@code architectures}, or null. */
    public String architecture() {
        var a = json.get("architectures");
        return a != null && a.isArray() && !a.isEmpty() ? a.get(0).asText() : null;
    }
}
