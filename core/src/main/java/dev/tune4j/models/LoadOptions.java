package dev.tune4j.models;

import dev.tune4j.tensor.DType;
import java.util.List;
import java.util.Locale;

/**
 * Keyword arguments of {@code from_pretrained}, as a builder.
 *
 * <pre>{@code
 * var opts = LoadOptions.builder().torchDtype(DType.BF16).build();
 * // transformers: AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.bfloat16)
 * }</pre>
 *
 * @param backend {@code "cpu"} (pure Java) or {@code "onnxruntime"} (the model traced into ONNX
 *     Runtime; needs com.microsoft.onnxruntime:onnxruntime, or onnxruntime_gpu for CUDA)
 * @param device {@code "cpu"}; with onnxruntime also {@code "cuda"} or {@code "cuda:N"}
 *     ({@link Builder#deviceMap(String) deviceMap("auto")} picks one when the options are built)
 * @param torchDtype the dtype weights are held in; null keeps what the checkpoint stores
 *     ({@code torch_dtype="auto"}). Compute is float32 either way.
 * @param revision hub revision (branch, tag or commit)
 * @param quantizationConfig e.g. a BitsAndBytesConfig from the quant module, or null
 * @param loraTargetModules with backend onnxruntime: the linear layers that get a run-time LoRA
 *     slot, in peft's {@code target_modules} vocabulary (e.g. {@code q_proj}, {@code v_proj}, or
 *     {@code "all-linear"}); the compiled model then serves adapters through
 *     {@link dev.tune4j.backend.onnx.MultiLoraCausalLM}. Empty for none.
 */
public record LoadOptions(String backend, String device, DType torchDtype, String revision,
                          QuantizationConfig quantizationConfig, List<String> loraTargetModules) {
    /** Options without LoRA slots. */
    public LoadOptions(String backend, String device, DType torchDtype, String revision,
                       QuantizationConfig quantizationConfig) {
        this(backend, device, torchDtype, revision, quantizationConfig, List.of());
    }

    public LoadOptions {
        if (loraTargetModules != null && loraTargetModules.stream().anyMatch(m -> m == null || m.isBlank())) {
            throw new IllegalArgumentException("loraTargetModules " + loraTargetModules + " holds an empty name");
        }
        loraTargetModules = loraTargetModules == null ? List.of() : List.copyOf(loraTargetModules);
        backend = backend == null ? "cpu" : backend.toLowerCase(Locale.ROOT);
        device = device == null ? "cpu" : device.toLowerCase(Locale.ROOT);
        if (!backend.equals("cpu") && !backend.equals("onnxruntime")) {
            throw new IllegalArgumentException("backend '" + backend + "' is not available; available: cpu, onnxruntime");
        }
        if (!device.equals("cpu") && !(backend.equals("onnxruntime") && device.matches("cuda(:\\d+)?"))) {
            throw new IllegalArgumentException("device '" + device + "' is not available with the " + backend + " backend"
                    + (backend.equals("cpu") ? "; use backend onnxruntime for cuda" : "; use cpu, cuda or cuda:N"));
        }
        if (torchDtype != null && torchDtype != DType.F32 && torchDtype != DType.F16 && torchDtype != DType.BF16) {
            throw new IllegalArgumentException("torch_dtype must be float32, float16 or bfloat16, not " + torchDtype);
        }
        if (!loraTargetModules.isEmpty() && !backend.equals("onnxruntime")) {
            throw new IllegalArgumentException("loraTargetModules reserves run-time LoRA slots in the onnxruntime graphs;"
                    + " on the " + backend + " backend apply adapters with PeftModel (tune4j-lora)");
        }
    }

    /** Defaults: cpu, weights as stored. */
    public static LoadOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link LoadOptions}. */
    public static final class Builder {
        private String backend = "cpu";
        private boolean backendChosen;
        private String device = "cpu";
        private boolean auto;
        private DType torchDtype;
        private String revision = "main";
        private QuantizationConfig quantizationConfig;
        private List<String> loraTargetModules = List.of();

        public Builder backend(String b) {
            this.backend = b;
            this.backendChosen = true;
            return this;
        }

        public Builder device(String d) {
            this.device = d;
            this.auto = false;
            return this;
        }

        /**
         * transformers' {@code device_map}: {@code "auto"} runs on the first CUDA device when ONNX
         * Runtime with its CUDA execution provider ({@code onnxruntime_gpu}) is on the class path and
         * sees a GPU, else on the CPU. Without an explicit {@link #backend(String)}, "auto" also
         * picks the backend: onnxruntime for CUDA, the pure-Java cpu backend otherwise. Any other
         * value is a single device, as {@link #device(String)}. (Splitting one model over several
         * devices is not supported; a model runs whole on the device chosen.)
         */
        public Builder deviceMap(String map) {
            if (map != null && map.equalsIgnoreCase("auto")) {
                this.auto = true;
                return this;
            }
            return device(map);
        }

        public Builder torchDtype(DType d) {
            this.torchDtype = d;
            return this;
        }

        public Builder revision(String r) {
            this.revision = r;
            return this;
        }

        public Builder quantizationConfig(QuantizationConfig q) {
            this.quantizationConfig = q;
            return this;
        }

        /**
         * With backend onnxruntime: LoRA slots on these modules (peft's {@code target_modules}, e.g.
         * {@code "q_proj", "v_proj"}, or {@code "all-linear"}), for adapters chosen at run time.
         */
        public Builder loraTargetModules(String... modules) {
            return loraTargetModules(java.util.Arrays.asList(modules));
        }

        /** {@link #loraTargetModules(String...)} from a list. */
        public Builder loraTargetModules(List<String> modules) {
            this.loraTargetModules = modules == null ? List.of() : new java.util.ArrayList<>(modules);
            return this;
        }

        public LoadOptions build() {
            if (auto) {
                boolean cuda = dev.tune4j.backend.onnx.OnnxRuntimeBackend.cudaAvailable();
                // Run-time LoRA slots exist only in onnxruntime graphs: asking for them keeps that backend.
                String b = backendChosen ? backend : (cuda || !loraTargetModules.isEmpty() ? "onnxruntime" : "cpu");
                String d = cuda && "onnxruntime".equalsIgnoreCase(b) ? "cuda:0" : "cpu";
                return new LoadOptions(b, d, torchDtype, revision, quantizationConfig, loraTargetModules);
            }
            return new LoadOptions(backend, device, torchDtype, revision, quantizationConfig, loraTargetModules);
        }
    }
}
