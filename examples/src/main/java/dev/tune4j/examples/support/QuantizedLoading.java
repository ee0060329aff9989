package dev.tune4j.examples.support;

import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.models.QuantizationConfig;
import dev.tune4j.quant.BitsAndBytesConfig;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a model with a {@link BitsAndBytesConfig}, as {@code from_pretrained(path,
 * quantization_config=bnb)}, where this build can: the 4-bit layers plug into core's loading seam
 * once {@code BitsAndBytesConfig} is a {@link QuantizationConfig}. Until then the model loads in
 * full precision and {@link Loaded#quantized()} says so, so the recipes still run end to end.
 */
public final class QuantizedLoading {
    private static final Logger LOG = LoggerFactory.getLogger(QuantizedLoading.class);

    private QuantizedLoading() {}

    /** The model and whether its linear layers are 4-bit. */
    public record Loaded(CausalLM model, boolean quantized) {}

    /** Whether this build loads models with a BitsAndBytesConfig. */
    public static boolean available(BitsAndBytesConfig bnb) {
        Object o = bnb;
        return o instanceof QuantizationConfig;
    }

    /** Loads {@code dir} quantized when {@link #available}, else in full precision. */
    public static Loaded load(Path dir, BitsAndBytesConfig bnb) {
        Object o = bnb;
        if (o instanceof QuantizationConfig q) {
            return new Loaded(AutoModelForCausalLM.fromPretrained(dir,
                    LoadOptions.builder().quantizationConfig(q).build()), true);
        }
        LOG.warn("4-bit loading is not part of this build yet: loading {} in full precision", dir);
        return new Loaded(AutoModelForCausalLM.fromPretrained(dir), false);
    }
}
