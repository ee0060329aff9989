package dev.tune4j.models;

/**
 * A weight quantization scheme applied while loading (the quant module's BitsAndBytesConfig).
 * Core only carries it; the implementing module supplies the layers.
 */
public interface QuantizationConfig {
    /** The {@code quant_method} written to config.json, e.g. "bitsandbytes". */
    String quantMethod();
}
