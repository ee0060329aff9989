package dev.tune4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Reads a config.json {@code quantization_config} into a {@link QuantizationConfig}, so that a
 * pre-quantized checkpoint loads with the module that understands it. Implementations register
 * through {@link java.util.ServiceLoader} (META-INF/services); the quant module provides
 * bitsandbytes.
 */
public interface QuantizationProvider {
    /** The config for {@code quantizationConfig}, or empty when this provider does not read it. */
    Optional<QuantizationConfig> fromConfigJson(JsonNode quantizationConfig);
}
