package dev.tune4j.models;

import dev.tune4j.tensor.DType;
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
 */
public record LoadOptions(String backend, String device, DType torchDtype, String revision,
                          QuantizationConfig quantizationConfig) {
    public LoadOptions {
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

        public LoadOptions build() {
            if (auto) {
                boolean cuda = dev.tune4j.backend.onnx.OnnxRuntimeBackend.cudaAvailable();
                String b = backendChosen ? backend : (cuda ? "onnxruntime" : "cpu");
                String d = cuda && "onnxruntime".equalsIgnoreCase(b) ? "cuda:0" : "cpu";
                return new LoadOptions(b, d, torchDtype, revision, quantizationConfig);
            }
            return new LoadOptions(backend, device, torchDtype, revision, quantizationConfig);
        }
    }
}
