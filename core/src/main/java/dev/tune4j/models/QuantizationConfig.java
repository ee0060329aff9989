package dev.tune4j.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.nn.LinearFactory;

/**
 * A weight quantization scheme applied while loading, such as the quant module's
 * BitsAndBytesConfig. Core only carries it: the scheme supplies the layers through
 * {@link #linearFactory}, which quantizes each projection as its weights are read (so the model
 * is never held in full precision), or reads a pre-quantized checkpoint.
 */
public interface QuantizationConfig {
    /** The {@code quant_method} written to config.json, e.g. "bitsandbytes". */
    String quantMethod();

    /** Builds the projection layers of a model of {@code config}. */
    LinearFactory linearFactory(ModelConfig config);

    /** The {@code quantization_config} object config.json records. */
    ObjectNode toConfigJson();
}
