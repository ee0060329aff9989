package dev.tune4j.models;

import dev.tune4j.io.safetensors.SafetensorsCheckpoint;
import dev.tune4j.nn.Init;
import dev.tune4j.nn.WeightSource;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Weights read from a model folder's safetensors files, memory-mapped and left in their stored
 * dtype unless a {@code torch_dtype} asks for a conversion. Records which keys were used, so the
 * loader can report the rest as transformers reports unexpected keys.
 */
final class CheckpointWeights implements WeightSource, AutoCloseable {
    private final SafetensorsCheckpoint checkpoint;
    private final DType dtype;
    private final String prefixToStrip;
    private final Set<String> used = Collections.synchronizedSet(new HashSet<>());

    /**
     * @param basePrefix the model's base_model_prefix ("transformer" for GPT-2): checkpoints
     *     saved from the bare model lack it, and keys are then looked up without it
     */
    CheckpointWeights(Path dir, DType dtype, String basePrefix) {
        this.checkpoint = SafetensorsCheckpoint.open(dir);
        this.dtype = dtype;
        boolean anyPrefixed = checkpoint.keys().stream().anyMatch(k -> k.startsWith(basePrefix + "."));
        this.prefixToStrip = anyPrefixed || basePrefix.isEmpty() ? null : basePrefix + ".";
    }

    @Override
    public Tensor load(String key, int[] expectedShape, Init init) {
        String k = prefixToStrip != null && key.startsWith(prefixToStrip) ? key.substring(prefixToStrip.length()) : key;
        if (!checkpoint.contains(k)) {
            return null;
        }
        used.add(k);
        Tensor t = checkpoint.tensor(k);
        // torch_dtype converts floating-point weights only: packed 4-bit bytes stay U8, as in transformers.
        if (dtype != null && t.dtype() != dtype && t.dtype().isFloatingPoint()) {
            t = t.to(dtype);
        }
        return t;
    }

    /** Keys of the checkpoint no module asked for. */
    Set<String> unused() {
        Set<String> out = new TreeSet<>(checkpoint.keys());
        out.removeAll(used);
        return out;
    }

    @Override
    public Set<String> keys() {
        return new TreeSet<>(checkpoint.keys());
    }

    @Override
    public String describe() {
        return checkpoint.toString();
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
