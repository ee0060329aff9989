package dev.tune4j.lora;

import dev.tune4j.backend.onnx.MultiLoraCausalLM;
import dev.tune4j.backend.onnx.OnnxAdapterFile;
import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * peft adapters for ONNX Runtime's run-time LoRA: a peft folder ({@code adapter_config.json} +
 * {@code adapter_model.safetensors}) becomes an ORT adapter ({@code .onnx_adapter}) whose tensors
 * fill the LoRA slots of a model compiled with {@code LoadOptions.loraTargetModules}.
 *
 * <pre>{@code
 * var opts = LoadOptions.builder().backend("onnxruntime").loraTargetModules("all-linear").build();
 * try (var model = MultiLoraCausalLM.of(AutoModelForCausalLM.fromPretrained(base, opts))) {
 *     OnnxAdapters.loadPeftAdapter(model, Path.of("out/adapter"), "sql");   // peft: load_adapter(dir, "sql")
 *     model.setAdapter("sql");
 * }
 * OnnxAdapters.convert(Path.of("out/adapter"), Path.of("sql.onnx_adapter"));  // for any ORT application
 * }</pre>
 *
 * The tensors are named {@code <module>.lora_A.weight} [r, in] and {@code <module>.lora_B.weight}
 * [out, r] (peft's keys without {@code base_model.model.}), float32, with peft's scaling
 * ({@code lora_alpha / r}, or {@code / sqrt(r)} with {@code use_rslora}, per module under
 * rank_pattern / alpha_pattern) folded into B, so the graph computes {@code y = W x + B' A x}.
 * Plain LoRA on linear (and GPT-2 Conv1D) layers only: DoRA, trained biases, modules_to_save and
 * embedding adapters change more than a low-rank delta and are refused.
 */
public final class OnnxAdapters {
    private OnnxAdapters() {}

    /**
     * Converts the peft adapter in {@code adapterDir}.
     *
     * @throws IllegalArgumentException for a missing or malformed folder or an adapter that is not plain LoRA
     */
    public static OnnxAdapterFile fromPeft(Path adapterDir) {
        LoraConfig config = LoraConfig.fromPretrained(adapterDir);
        Path cfg = adapterDir.resolve(LoraConfig.CONFIG_NAME);
        if (config.useDora()) {
            throw new IllegalArgumentException(cfg + ": use_dora=true; a DoRA adapter rescales each output row by a norm"
                    + " of W + s·B·A, which ONNX Runtime's run-time adapters (a low-rank delta) cannot express."
                    + " Merge it (PeftModel.mergeAndUnload) or run it on the cpu backend");
        }
        if (!config.bias().equals("none")) {
            throw new IllegalArgumentException(cfg + ": bias=\"" + config.bias() + "\" trains biases; run-time adapters"
                    + " carry LoRA weights only (bias=\"none\")");
        }
        if (config.modulesToSave() != null && !config.modulesToSave().isEmpty()) {
            throw new IllegalArgumentException(cfg + ": modules_to_save " + config.modulesToSave() + " replaces whole"
                    + " modules; run-time adapters carry LoRA weights only");
        }
        Path weights = AdapterFiles.weightsFile(adapterDir);
        Map<String, Tensor[]> modules = new TreeMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            for (String key : f.keys()) {
                boolean a = key.endsWith(".lora_A.weight");
                if (!key.startsWith(AdapterFiles.PREFIX) || !(a || key.endsWith(".lora_B.weight"))) {
                    throw new IllegalArgumentException(weights + ": key '" + key + "' is not a LoRA weight of a linear"
                            + " layer (" + AdapterFiles.PREFIX + "<module>.lora_A.weight / .lora_B.weight); embedding"
                            + " adapters, DoRA magnitudes and saved modules cannot run as ONNX Runtime adapters");
                }
                String module = AdapterFiles.moduleOf(key);
                Tensor t = f.tensor(key);
                if (t.rank() != 2) {
                    throw new IllegalArgumentException(weights + ": '" + key + "' has shape " + Arrays.toString(t.shape())
                            + ", expected a matrix");
                }
                modules.computeIfAbsent(module, m -> new Tensor[2])[a ? 0 : 1] = Tensor.of(t.toFloatArray(), t.shape());
            }
        }
        Map<String, Tensor> params = new LinkedHashMap<>();
        modules.forEach((module, ab) -> {
            if (ab[0] == null || ab[1] == null) {
                throw new IllegalArgumentException(weights + ": module " + module + " has only its lora_"
                        + (ab[0] == null ? "B" : "A") + " weight");
            }
            int rank = ab[0].dim(0);
            if (ab[1].dim(1) != rank) {
                throw new IllegalArgumentException(weights + ": module " + module + " has lora_A " + Arrays.toString(ab[0].shape())
                        + " and lora_B " + Arrays.toString(ab[1].shape()) + ": their ranks differ");
            }
            String key = LoraModel.patternKey(config, module);
            int configured = config.rankPattern().getOrDefault(key, config.r());
            if (configured != rank) {
                throw new IllegalArgumentException(weights + ": module " + module + " has rank " + rank + " but "
                        + cfg + " gives it r=" + configured);
            }
            double alpha = config.alphaPattern().containsKey(key)
                    ? config.alphaPattern().get(key).doubleValue() : config.loraAlpha();
            double scaling = config.scaling(rank, alpha);
            float[] b = ab[1].toFloatArray();
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (b[i] * scaling);
            }
            params.put(module + ".lora_A.weight", ab[0]);
            params.put(module + ".lora_B.weight", Tensor.of(b, ab[1].shape()));
        });
        return OnnxAdapterFile.of(params);
    }

    /** Writes the peft adapter in {@code adapterDir} as an {@code .onnx_adapter} file (atomically). */
    public static void convert(Path adapterDir, Path onnxAdapterFile) {
        fromPeft(adapterDir).save(onnxAdapterFile);
    }

    /**
     * Loads the peft adapter in {@code adapterDir} into {@code model} under {@code adapterName}
     * (peft: {@code model.load_adapter(adapter_dir, adapter_name)}); it does not become active.
     */
    public static void loadPeftAdapter(MultiLoraCausalLM model, Path adapterDir, String adapterName) {
        model.loadAdapter(fromPeft(adapterDir), adapterName);
    }
}
