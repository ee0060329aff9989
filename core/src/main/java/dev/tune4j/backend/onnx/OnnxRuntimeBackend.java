package dev.tune4j.backend.onnx;

import dev.tune4j.backend.AttentionSpec;
import dev.tune4j.backend.Backend;
import dev.tune4j.backend.Bnb4Weight;
import dev.tune4j.backend.KvBuffer;
import dev.tune4j.backend.cpu.CpuBackend;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.tensor.Tensor;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * The ONNX Runtime backend: a model built on it runs its own forward once on small example
 * inputs, each op computing its value on the CPU and recording the matching ONNX node(s); the
 * recorded graphs then run in an {@code OrtSession} on ORT's CPU or CUDA execution provider.
 *
 * <pre>{@code
 * // optimum: ORTModelForCausalLM.from_pretrained(path, export=True, provider="CUDAExecutionProvider")
 * var opts = LoadOptions.builder().backend("onnxruntime").device("cuda:0").build();
 * try (CausalLM model = AutoModelForCausalLM.fromPretrained(path, opts)) { ... }
 *
 * // any PreTrainedCausalLM built on this backend:
 * OnnxRuntimeBackend ort = OnnxRuntimeBackend.create("cpu");
 * CausalLM model = ort.compile(new LlamaForCausalLM(config, weights, ort));
 * }</pre>
 *
 * <p>Needs {@code com.microsoft.onnxruntime:onnxruntime} (or {@code onnxruntime_gpu} for CUDA) and
 * {@code org.tribuo:tribuo-util-onnx} on the class path; {@link #create} says so when they are
 * missing. This class touches neither until {@link #compile}.
 */
public final class OnnxRuntimeBackend implements Backend {
    static final String ORT_CLASS = "ai.onnxruntime.OrtEnvironment";
    static final String ONNX_PROTO_CLASS = "ai.onnx.proto.OnnxMl";

    private final String device;
    private final int cudaDevice;
    private final CpuBackend cpu = CpuBackend.INSTANCE;
    /** The recording in progress, or null: outside a trace the backend is the plain CPU one. */
    Trace trace;

    private OnnxRuntimeBackend(String device, int cudaDevice) {
        this.device = device;
        this.cudaDevice = cudaDevice;
    }

    /**
     * A backend for {@code device}: {@code "cpu"}, {@code "cuda"} or {@code "cuda:N"}.
     *
     * @throws IllegalArgumentException for another device
     * @throws IllegalStateException when ONNX Runtime is not on the class path, naming the artifact to add
     */
    public static OnnxRuntimeBackend create(String device) {
        String d = device == null ? "cpu" : device.toLowerCase(Locale.ROOT);
        int cuda = parseDevice(d);
        requireOnClassPath(cuda >= 0);
        return new OnnxRuntimeBackend(d, cuda);
    }

    /** -1 for the CPU, else the CUDA device index. */
    static int parseDevice(String d) {
        if (d.equals("cpu")) {
            return -1;
        }
        if (d.equals("cuda")) {
            return 0;
        }
        if (d.startsWith("cuda:")) {
            try {
                int i = Integer.parseInt(d.substring(5));
                if (i >= 0) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("device '" + d + "' is not available with the onnxruntime backend;"
                + " use cpu, cuda or cuda:N");
    }

    /** Checks reflectively, so that core loads no ONNX Runtime class unless this backend is chosen. */
    static void requireOnClassPath(boolean cuda) {
        ClassLoader loader = OnnxRuntimeBackend.class.getClassLoader();
        if (!present(ORT_CLASS, loader)) {
            throw new IllegalStateException("backend 'onnxruntime' needs ONNX Runtime on the class path: add "
                    + (cuda ? "com.microsoft.onnxruntime:onnxruntime_gpu (CUDA execution provider)"
                            : "com.microsoft.onnxruntime:onnxruntime (or onnxruntime_gpu for CUDA)")
                    + " and org.tribuo:tribuo-util-onnx");
        }
        if (!present(ONNX_PROTO_CLASS, loader)) {
            throw new IllegalStateException("backend 'onnxruntime' writes ONNX graphs with the protobuf classes of"
                    + " org.tribuo:tribuo-util-onnx: add it to the class path");
        }
    }

    /**
     * Whether ONNX Runtime is on the class path with its CUDA execution provider and that provider
     * is usable here (what {@code deviceMap("auto")} decides by). Loads ONNX Runtime's native
     * library only when its classes are present.
     */
    public static boolean cudaAvailable() {
        ClassLoader loader = OnnxRuntimeBackend.class.getClassLoader();
        if (!present(ORT_CLASS, loader) || !present(ONNX_PROTO_CLASS, loader)) {
            return false;
        }
        return Providers.cuda();
    }

    /** Touches ORT classes; loaded only after the class-path check above. */
    private static final class Providers {
        static boolean cuda() {
            try {
                return ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA);
            } catch (LinkageError | RuntimeException e) {
                return false;
            }
        }
    }

    static boolean present(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** {@code "cpu"}, {@code "cuda:0"}, ... as given to {@link #create}. */
    public String device() {
        return device;
    }

    /** The CUDA device index, or -1 on the CPU execution provider. */
    public int cudaDevice() {
        return cudaDevice;
    }

    /**
     * Traces {@code model} (which must have been built on this backend) into its forward and
     * decode graphs and returns it running in ONNX Runtime. The returned model owns {@code model}:
     * closing it closes both.
     */
    public CausalLM compile(PreTrainedCausalLM model) {
        if (model.backend() != this) {
            throw new IllegalArgumentException("the model was built on backend " + model.backend().name()
                    + ", not on this onnxruntime backend");
        }
        return OrtCausalLM.compile(model, this);
    }

    /**
     * {@link #compile(PreTrainedCausalLM)} with a LoRA slot on every linear layer that
     * {@code loraTargetModules} selects (peft's {@code target_modules}: module names matched by
     * suffix, or {@code "all-linear"} for every linear layer but lm_head), so that one pair of
     * sessions serves many adapters at run time.
     *
     * @throws IllegalArgumentException when a target module matches no linear layer
     */
    public MultiLoraCausalLM compile(PreTrainedCausalLM model, List<String> loraTargetModules) {
        if (model.backend() != this) {
            throw new IllegalArgumentException("the model was built on backend " + model.backend().name()
                    + ", not on this onnxruntime backend");
        }
        return OrtCausalLM.compile(model, this, LoraTargets.resolve(model, loraTargetModules));
    }

    /**
     * The training step of {@code model} (built on this backend, possibly wrapped, e.g. by a PEFT
     * model) as one ONNX graph: see {@link OrtTrainingStep#compile(CausalLM)}.
     */
    public OrtTrainingStep compileTrainingStep(CausalLM model) {
        return OrtTrainingStep.compile(model, this);
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public Tensor embedding(Tensor table, int[] ids) {
        Tensor out = cpu.embedding(table, ids);
        if (trace != null) {
            trace.embedding(out, table, ids);
        }
        return out;
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Tensor out = cpu.linear(x, weight, bias);
        if (trace != null) {
            trace.linear(out, x, weight, bias, true);
            trace.loraSlot(out, x, weight, true);
        }
        return out;
    }

    /**
     * Computes through {@code compute} (the 4-bit layer's own kernels); while tracing, records
     * com.microsoft {@code MatMulBnb4} over the packed codes and float32 block scales (see
     * {@link Bnb4Weight}), plus an Add for the bias, and a run-time LoRA slot when the layer is a
     * LoRA target module, as {@link #linear} does.
     *
     * @throws UnsupportedOperationException while tracing a weight ORT cannot run (a block size
     *     its kernel lacks, a custom quant_map), naming the layer
     */
    @Override
    public Tensor linear4bit(Tensor x, Bnb4Weight weight, Tensor bias, UnaryOperator<Tensor> compute) {
        Tensor out = compute.apply(x);
        if (trace != null) {
            trace.linear4bit(out, x, weight, bias, cudaDevice >= 0);
            trace.loraSlot(out, x, weight);
        }
        return out;
    }

    @Override
    public Tensor conv1d(Tensor x, Tensor weight, Tensor bias) {
        Tensor out = cpu.conv1d(x, weight, bias);
        if (trace != null) {
            trace.linear(out, x, weight, bias, false);
            trace.loraSlot(out, x, weight, false);
        }
        return out;
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        Tensor out = cpu.add(a, b);
        if (trace != null) {
            trace.binary(out, "Add", a, b);
        }
        return out;
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        Tensor out = cpu.rmsNorm(x, weight, eps);
        if (trace != null) {
            trace.rmsNorm(out, x, weight, eps);
        }
        return out;
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, float eps) {
        Tensor out = cpu.layerNorm(x, weight, bias, eps);
        if (trace != null) {
            trace.layerNorm(out, x, weight, bias, eps);
        }
        return out;
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        Tensor out = cpu.swiglu(gate, up);
        if (trace != null) {
            trace.swiglu(out, gate, up);
        }
        return out;
    }

    @Override
    public Tensor activation(Tensor x, String name) {
        Tensor out = cpu.activation(x, name);
        if (trace != null) {
            trace.activation(out, x, name);
        }
        return out;
    }

    @Override
    public Tensor rope(Tensor x, int heads, Tensor cos, Tensor sin) {
        Tensor out = cpu.rope(x, heads, cos, sin);
        if (trace != null) {
            trace.rope(out, x, heads, cos, sin);
        }
        return out;
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, KvBuffer cache, int layer, AttentionSpec spec) {
        Tensor out = cpu.attention(q, k, v, cache, layer, spec);
        if (trace != null) {
            trace.attention(out, q, k, v, layer, spec);
        }
        return out;
    }

    @Override
    public Tensor crossEntropyLoss(Tensor logits, int[] labels) {
        if (trace != null) {
            throw new UnsupportedOperationException("the loss is computed outside the ONNX graph");
        }
        return cpu.crossEntropyLoss(logits, labels);
    }

    @Override
    public Tensor[] split(Tensor x, int... widths) {
        Tensor[] out = cpu.split(x, widths);
        if (trace != null) {
            trace.split(out, x, widths);
        }
        return out;
    }

    @Override
    public Tensor selectRows(Tensor x, int[] rows) {
        Tensor out = cpu.selectRows(x, rows);
        if (trace != null) {
            trace.selectRows(out, x, rows);
        }
        return out;
    }

    @Override
    public Tensor scale(Tensor x, float s) {
        Tensor out = cpu.scale(x, s);
        if (trace != null) {
            trace.scale(out, x, s);
        }
        return out;
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        Tensor out = cpu.mul(a, b);
        if (trace != null) {
            trace.binary(out, "Mul", a, b);
        }
        return out;
    }

    @Override
    public Tensor mulRowVector(Tensor x, Tensor v) {
        Tensor out = cpu.mulRowVector(x, v);
        if (trace != null) {
            trace.binary(out, "Mul", x, v);
        }
        return out;
    }

    @Override
    public Tensor dropout(Tensor x, float p, RandomGenerator random) {
        if (trace != null && p != 0f) {
            return trace.dropout(x, p, random);
        }
        Tensor out = cpu.dropout(x, p, random);
        if (trace != null) {
            trace.same(out, x);
        }
        return out;
    }
}
