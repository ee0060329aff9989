package dev.tune4j.quant.nn;

import dev.tune4j.backend.Backend;
import dev.tune4j.nn.Init;
import dev.tune4j.nn.LinearFactory;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.nn.WeightPath;
import dev.tune4j.nn.WeightSource;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.quant.Functional;
import dev.tune4j.quant.QuantState;
import dev.tune4j.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link LinearFactory} of a {@link BitsAndBytesConfig}: builds each projection as a
 * {@link Linear4bit} while the model loads. A layer stored pre-quantized (its
 * {@code weight.quant_state.bitsandbytes__nf4|fp4} key is present) is read as stored, like
 * bitsandbytes' {@code Params4bit.from_prequantized}; a dense one is read and quantized at once,
 * so only one layer's float weights are ever materialised. Modules whose path contains a name in
 * {@code llm_int8_skip_modules} stay plain Linear layers, as transformers leaves them; the lm_head
 * stays dense unless that list is given without it ({@link #createHead}).
 */
public final class Linear4bitFactory implements LinearFactory {
    private static final List<String> STATS = List.of("absmax", "quant_map", "nested_absmax", "nested_quant_map");

    private final BitsAndBytesConfig config;

    public Linear4bitFactory(BitsAndBytesConfig config) {
        this.config = config;
    }

    @Override
    public Module create(Backend backend, WeightPath path, int in, int out, boolean bias) {
        if (skipped(path.prefix())) {
            return LinearFactory.DEFAULT.create(backend, path, in, out, bias);
        }
        Tensor b = bias ? path.get("bias", Init.ZEROS, out) : null;
        WeightSource source = path.source();
        if (!source.keys().isEmpty()) {
            for (String type : List.of("nf4", "fp4")) {
                String stateKey = "quant_state.bitsandbytes__" + type;
                Tensor json = source.load(path.key("weight." + stateKey), null, null);
                if (json != null) {
                    return new Linear4bit(backend, prequantized(path, stateKey, json, in, out), b);
                }
            }
        }
        Tensor w = path.get("weight", Init.WEIGHT, out, in);
        QuantState s = Functional.quantize4bit(w, config.blocksize(), config.bnb4bitQuantType(),
                config.bnb4bitUseDoubleQuant());
        if (w.segment().isMapped()) {
            // The dense weight is not read again: give its file pages back, so that the resident size
            // while loading stays near the quantized model's instead of growing by the whole file.
            w.segment().unload();
        }
        return new Linear4bit(backend, s, b);
    }

    /**
     * The lm_head: dense, as transformers keeps it, unless {@code llm_int8_skip_modules} is given
     * and does not name it. transformers then replaces its default list ({@code lm_head} and tied
     * outputs) by the user's, and the head is quantized like any projection. A tied head is
     * quantized from the embedding table, which itself stays dense for the lookup.
     */
    @Override
    public Module createHead(Backend backend, WeightPath path, int in, int out, Parameter tiedWeight) {
        if (config.llmInt8SkipModules().isEmpty() || skipped(path.prefix())) {
            return LinearFactory.super.createHead(backend, path, in, out, tiedWeight);
        }
        if (tiedWeight == null) {
            return create(backend, path, in, out, false);
        }
        return new Linear4bit(backend, Functional.quantize4bit(tiedWeight.value(), config.blocksize(), config.bnb4bitQuantType(),
                config.bnb4bitUseDoubleQuant()), null);
    }

    private static QuantState prequantized(WeightPath path, String stateKey, Tensor json, int in, int out) {
        WeightSource source = path.source();
        Tensor weight = source.load(path.key("weight"), null, null);
        if (weight == null) {
            throw new IllegalArgumentException("missing weight '" + path.key("weight") + "' (packed 4-bit U8) in "
                    + source.describe());
        }
        Map<String, Tensor> stats = new LinkedHashMap<>();
        stats.put(stateKey, json);
        for (String name : STATS) {
            Tensor t = source.load(path.key("weight." + name), null, null);
            if (t != null) {
                stats.put(name, t);
            }
        }
        QuantState s;
        try {
            s = QuantState.fromDict(weight, stats);
        } catch (IllegalArgumentException e) {
            String hint = e.getMessage().contains("must be F32")
                    ? " (bitsandbytes statistics are float32: load the checkpoint without a torch_dtype)" : "";
            throw new IllegalArgumentException(source.describe() + ": 4-bit weight '" + path.key("weight") + "': "
                    + e.getMessage() + hint, e);
        }
        if (!Arrays.equals(s.shape(), new int[] {out, in})) {
            throw new IllegalArgumentException(source.describe() + ": 4-bit weight '" + path.key("weight")
                    + "' has quant_state shape " + Arrays.toString(s.shape()) + ", expected [" + out + ", " + in + "]");
        }
        return s;
    }

    private boolean skipped(String prefix) {
        List<String> skip = config.llmInt8SkipModules().orElse(List.of());
        for (String name : skip) {
            if (prefix.equals(name) || prefix.endsWith("." + name) || prefix.contains("." + name + ".")
                    || prefix.startsWith(name + ".")) {
                return true;
            }
        }
        return false;
    }
}
