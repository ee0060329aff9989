package dev.tune4j.models;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code rope_scaling} of a config: the rope type and its parameters, as transformers'
 * modeling_rope_utils reads them.
 *
 * @param type default, linear, dynamic, llama3 or yarn
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          Integer originalMaxPositionEmbeddings, Double attentionFactor,
                          double betaFast, double betaSlow) {
    /** No scaling. */
    public static final RopeScaling DEFAULT = new RopeScaling("default", 1, 1, 4, null, null, 32, 1);

    static RopeScaling from(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            return DEFAULT;
        }
        String type = node.hasNonNull("rope_type") ? node.get("rope_type").asText()
                : node.hasNonNull("type") ? node.get("type").asText() : "default";
        switch (type) {
            case "default", "linear", "dynamic", "llama3", "yarn" -> { }
            default -> throw new IllegalArgumentException(source + ": rope_scaling type '" + type
                    + "' is not supported; supported: default, linear, dynamic, llama3, yarn");
        }
        double factor = node.path("factor").asDouble(1.0);
        if (!"default".equals(type) && !(factor >= 1.0 || "linear".equals(type))) {
            throw new IllegalArgumentException(source + ": rope_scaling.factor should be >= 1 but is " + factor);
        }
        return new RopeScaling(type, factor,
                node.path("low_freq_factor").asDouble(1.0),
                node.path("high_freq_factor").asDouble(4.0),
                node.hasNonNull("original_max_position_embeddings") ? node.get("original_max_position_embeddings").asInt() : null,
                node.hasNonNull("attention_factor") ? node.get("attention_factor").asDouble() : null,
                node.path("beta_fast").asDouble(32),
                node.path("beta_slow").asDouble(1));
    }
}
