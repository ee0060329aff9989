package dev.tune4j.backend.onnx;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.Generator;
import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.CausalLMOutput;
import dev.tune4j.models.ForwardArgs;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A model running in ONNX Runtime that serves many LoRA adapters from one pair of sessions: the
 * graphs were traced with a LoRA slot ({@code <module>.lora_A.weight} [r, in],
 * {@code <module>.lora_B.weight} [out, r], any rank) on every target module, and an adapter is
 * handed to ORT per run ({@code RunOptions.addActiveLoraAdapter}), so loading, switching and
 * deleting adapters never re-creates a session. With no adapter active the slots hold rank-0
 * defaults and the model is the base model.
 *
 * <pre>{@code
 * var opts = LoadOptions.builder().backend("onnxruntime").loraTargetModules("q_proj", "v_proj").build();
 * try (var model = (MultiLoraCausalLM) AutoModelForCausalLM.fromPretrained(base, opts)) {
 *     model.loadAdapter(Path.of("sql.onnx_adapter"), "sql");     // peft: model.load_adapter(path, "sql")
 *     OnnxAdapters.loadPeftAdapter(model, Path.of("chat-adapter"), "chat");   // a peft folder (tune4j-lora)
 *     model.setAdapter("sql");                                   // peft: model.set_adapter("sql")
 *     int[][] out = model.generate(ids, null, config);
 *     model.disableAdapter();                                    // the base model again
 * }
 * }</pre>
 *
 * Every {@link dev.tune4j.models.CausalLM} the onnxruntime backend returns implements this type;
 * one compiled without target modules has no slots and refuses adapters.
 */
public interface MultiLoraCausalLM extends CausalLM {
    /**
     * The model as a {@code MultiLoraCausalLM}.
     *
     * @throws IllegalArgumentException when it was not loaded with the onnxruntime backend
     */
    static MultiLoraCausalLM of(CausalLM model) {
        if (model instanceof MultiLoraCausalLM m) {
            return m;
        }
        throw new IllegalArgumentException("run-time LoRA adapters need a model compiled by the onnxruntime backend"
                + " (LoadOptions backend \"onnxruntime\" with loraTargetModules); this one is a "
                + model.getClass().getSimpleName() + " (on the cpu backend use PeftModel)");
    }

    /** The modules holding a LoRA slot, by their Hugging Face names (e.g. {@code model.layers.0.self_attn.q_proj}). */
    List<String> loraModules();

    /**
     * Loads an {@code .onnx_adapter} file under {@code adapterName}; it does not become active.
     * Every tensor must fill a slot of this model with matching shapes.
     *
     * @throws IllegalArgumentException for a malformed file, a name already loaded, a parameter
     *     without a slot or a shape that does not fit, naming the parameter
     */
    void loadAdapter(Path onnxAdapterFile, String adapterName);

    /** {@link #loadAdapter(Path, String)} from an adapter in memory (e.g. converted from peft). */
    void loadAdapter(OnnxAdapterFile adapter, String adapterName);

    /** peft's {@code set_adapter}: {@code adapterName} is used by later forwards, decoders and generations. */
    void setAdapter(String adapterName);

    /** No adapter active: the base model's outputs (peft: {@code with model.disable_adapter():}). */
    void disableAdapter();

    /** The active adapter, if any (peft: {@code active_adapter}). */
    Optional<String> activeAdapter();

    /** The loaded adapters' names, in load order. */
    Set<String> adapters();

    /**
     * peft's {@code delete_adapter}: frees the adapter. If it was active, none is active afterwards;
     * a decoder still holding it fails on its next step.
     */
    void deleteAdapter(String adapterName);

    /** A forward with {@code adapterName} (null: the base model), whatever adapter is active. */
    CausalLMOutput forward(ForwardArgs args, String adapterName);

    /** A decoder running {@code adapterName} (null: the base model) for its whole life, whatever adapter is active. */
    IncrementalDecoder newDecoder(int batch, int capacityHint, String adapterName);

    /** {@link CausalLM#generate(int[][], int[][], GenerationConfig)} with {@code adapterName} (null: the base model). */
    default int[][] generate(int[][] inputIds, int[][] attentionMask, GenerationConfig config, String adapterName) {
        int len = inputIds.length == 0 ? 0 : inputIds[0].length;
        int capacity = len + config.maxNewTokens().orElse(Math.max(1, config.maxLength() - len));
        try (IncrementalDecoder decoder = newDecoder(inputIds.length, capacity, adapterName)) {
            return Generator.generate(decoder, inputIds, attentionMask, config);
        }
    }
}
