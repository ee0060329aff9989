package dev.tune4j.quant;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune4j.models.QuantizationConfig;
import dev.tune4j.models.QuantizationProvider;
import java.util.Optional;

/**
 * Reads {@code quantization_config} objects with {@code quant_method: "bitsandbytes"} into a
 * {@link BitsAndBytesConfig}, so that {@code AutoModelForCausalLM.fromPretrained} loads bnb-4bit
 * checkpoints (registered in META-INF/services).
 */
public final class BnbQuantizationProvider implements QuantizationProvider {
    /**
     * @throws UnsupportedOperationException for an 8-bit (LLM.int8) checkpoint
     */
    @Override
    public Optional<QuantizationConfig> fromConfigJson(JsonNode quantizationConfig) {
        if (quantizationConfig == null || !"bitsandbytes".equals(quantizationConfig.path("quant_method").asText())) {
            return Optional.empty();
        }
        return Optional.of(BitsAndBytesConfig.fromJson(quantizationConfig));
    }
}
