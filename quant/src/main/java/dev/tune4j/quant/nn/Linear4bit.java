package dev.tune4j.quant.nn;

import dev.tune4j.autograd.GradMode;
import dev.tune4j.autograd.Node;
import dev.tune4j.backend.Backend;
import dev.tune4j.backend.Bnb4Weight;
import dev.tune4j.backend.cpu.Gemm;
import dev.tune4j.backend.cpu.Parallel;
import dev.tune4j.nn.DenseWeight;
import dev.tune4j.nn.LinearLayer;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.quant.Functional;
import dev.tune4j.quant.QuantState;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * bitsandbytes' {@code Linear4bit} with compute dtype float32: a frozen NF4/FP4 weight
 * ({@link QuantState}) and an optional bias. The forward dequantizes a few rows of the weight at a
 * time (never the whole matrix): a fused 4-bit gemv for one token, dequantized row tiles times the
 * input for more.
 *
 * <p>The parameters carry bitsandbytes' state-dict names, so a saved model has exactly the
 * layout of a bnb-4bit checkpoint: {@code weight} (U8 {@code [(n+1)/2, 1]}), {@code weight.absmax},
 * {@code weight.quant_map}, with double quantization {@code weight.nested_absmax} and
 * {@code weight.nested_quant_map}, {@code weight.quant_state.bitsandbytes__nf4} (the JSON bytes)
 * and {@code bias}. They share the arrays the kernels read.
 *
 * <p>The product goes through {@link Backend#linear4bit}: on the CPU backends it runs these
 * kernels; the ONNX Runtime backend records it as one {@code com.microsoft.MatMulBnb4} node over
 * the same packed bytes (see {@link Bnb4Weight}).
 *
 * <p>With autograd on and an input that requires a gradient (QLoRA: LoRA over a frozen 4-bit
 * base, or gradient checkpointing), the forward records {@code dX = dY W}, again computed from the
 * 4-bit weight tile by tile.
 *
 * <pre>{@code
 * // bitsandbytes: layer = bnb.nn.Linear4bit(in, out, bias=False, quant_type="nf4", compress_statistics=True)
 * Linear4bit layer = Linear4bit.quantize(backend, weight, null, 64, "nf4", true);
 * }</pre>
 */
public final class Linear4bit extends Module implements LinearLayer, DenseWeight {
    private static final Logger LOG = LoggerFactory.getLogger(Linear4bit.class);
    /** Rows of the weight dequantized per tile of the multi-token product. */
    private static final int TILE_ROWS = 32;
    /** Below this many weight elements, products run on the calling thread. */
    private static final long PARALLEL_MIN = 1 << 15;
    /** From this many tokens on, products dequantize wide slabs of rows for one full-width GEMM. */
    private static final int WIDE_MIN_TOKENS = 16;
    /** Floats per dequantized slab of {@link #wideProduct} (4 MiB). */
    private static final int WIDE_SLAB_FLOATS = 1 << 20;

    private final Backend backend;
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter bias;
    private QuantState state;
    private Bnb4Weight bnb4;
    private Parameter dense;
    private List<String> statNames = List.of();

    /**
     * A layer over an existing 4-bit state of shape [out, in].
     *
     * @param bias [out] or null
     */
    public Linear4bit(Backend backend, QuantState state, Tensor bias) {
        int[] s = state.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException("a 4-bit Linear weight must be 2-D [out, in], found shape "
                    + Arrays.toString(s));
        }
        this.backend = backend;
        this.outFeatures = s[0];
        this.inFeatures = s[1];
        registerState(state);
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != outFeatures)) {
            throw new IllegalArgumentException("bias of shape " + Arrays.toString(bias.shape()) + " does not match "
                    + outFeatures + " output features");
        }
        this.bias = bias == null ? null : register("bias", new Parameter(bias, false));
    }

    /**
     * Quantizes a dense weight [out, in] ({@code Params4bit(...).to(device)} in bitsandbytes).
     *
     * @param quantType          "nf4" or "fp4"
     * @param compressStatistics double quantization
     */
    public static Linear4bit quantize(Backend backend, Tensor weight, Tensor bias, int blocksize, String quantType,
                                      boolean compressStatistics) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("a Linear weight must be 2-D [out, in], found shape "
                    + Arrays.toString(weight.shape()));
        }
        return new Linear4bit(backend, Functional.quantize4bit(weight, blocksize, quantType, compressStatistics), bias);
    }

    private void registerState(QuantState s) {
        for (String name : statNames) {
            removeParameter(name);
        }
        if (parameters().containsKey("weight")) {
            removeParameter("weight");
        }
        dense = null;
        Tensor packed = Tensor.wrap(MemorySegment.ofArray(s.packed()), DType.U8, s.packed().length, 1);
        register("weight", new Parameter(packed, false));
        List<String> names = new ArrayList<>();
        names.add(stat("weight.absmax", s.nested() ? u8(s.absmaxCodes()) : Tensor.of(s.absmax(), s.absmax().length)));
        names.add(stat("weight.quant_map", Tensor.of(s.quantMap(), s.quantMap().length)));
        if (s.nested()) {
            names.add(stat("weight.nested_absmax", Tensor.of(s.nestedAbsmax(), s.nestedAbsmax().length)));
            names.add(stat("weight.nested_quant_map", Tensor.of(s.nestedQuantMap(), s.nestedQuantMap().length)));
        }
        names.add(stat("weight." + s.quantStateKey(), u8(s.quantStateJson().getBytes(StandardCharsets.UTF_8))));
        this.statNames = List.copyOf(names);
        this.state = s;
        // What a backend that lowers the product elsewhere (ONNX Runtime's MatMulBnb4) reads: the
        // packed parameter itself and float32 block scales, dequantized from the double-quantized
        // codes only if such a backend asks (the CPU kernels read the codes directly).
        this.bnb4 = new Bnb4Weight(packed, s.quantType(), s.blocksize(), outFeatures, inFeatures, s.quantMap(),
                s.nested() ? s::dequantizedAbsmax : s::absmax);
    }

    private String stat(String name, Tensor t) {
        register(name, Parameter.statistic(t));
        return name;
    }

    private static Tensor u8(byte[] bytes) {
        return Tensor.wrap(MemorySegment.ofArray(bytes), DType.U8, bytes.length);
    }

    /** The 4-bit state, or null after {@link #replaceWeight} made the weight dense. */
    public QuantState quantState() {
        return state;
    }

    /** The bias parameter, or null. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public int inFeatures() {
        return inFeatures;
    }

    @Override
    public int outFeatures() {
        return outFeatures;
    }

    /**
     * Bytes of weight storage this layer holds: the packed codes, the block statistics, the code
     * tables and the quant-state JSON (a dense weight's 4 bytes per element after an unquantized
     * replace), plus the bias.
     */
    public long residentBytes() {
        long b = bias == null ? 0 : bias.numel() * bias.value().dtype().byteSize();
        if (state == null) {
            return b + dense.numel() * 4;
        }
        return b + state.storageBytes();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != inFeatures) {
            throw new IllegalArgumentException("Linear4bit(" + inFeatures + " -> " + outFeatures + ") got input of shape "
                    + Arrays.toString(x.shape()));
        }
        Tensor b = bias == null ? null : bias.value();
        if (state == null) {
            return backend.linear(x, dense.value(), b);
        }
        return backend.linear4bit(x, bnb4, b, this::compute4bit);
    }

    /** {@code x W^T + b} from the 4-bit state on the CPU, with its backward node when autograd needs one. */
    private Tensor compute4bit(Tensor x) {
        Tensor b = bias == null ? null : bias.value();
        QuantState s = state;
        int m = x.dim(0);
        float[] xd = x.isHeapF32() ? x.data() : x.toFloatArray();
        float[] y = new float[m * outFeatures];
        product(s, xd, m, y);
        if (b != null) {
            float[] bd = b.toFloatArray();
            for (int r = 0; r < m; r++) {
                for (int o = 0; o < outFeatures; o++) {
                    y[r * outFeatures + o] += bd[o];
                }
            }
        }
        Tensor out = Tensor.of(y, m, outFeatures);
        boolean wantX = x.requiresGrad();
        boolean wantB = b != null && b.requiresGrad();
        if (!GradMode.isEnabled() || !(wantX || wantB)) {
            return out;
        }
        return out.withGradFn(new Node(x, b) {
            @Override
            public Tensor[] backward(Tensor g) {
                float[] gd = g.isHeapF32() ? g.data() : g.toFloatArray();
                Tensor dx = needs(0) ? Tensor.of(timesWeight(s, gd, m), m, inFeatures) : null;
                Tensor db = null;
                if (needs(1)) {
                    float[] sums = new float[outFeatures];
                    for (int r = 0; r < m; r++) {
                        for (int o = 0; o < outFeatures; o++) {
                            sums[o] += gd[r * outFeatures + o];
                        }
                    }
                    db = Tensor.of(sums, outFeatures);
                }
                return new Tensor[] {dx, db};
            }

            @Override
            public String name() {
                return "Linear4bitBackward";
            }
        });
    }

    /** y[m, out] = x[m, in] W^T from the 4-bit weight. */
    private void product(QuantState s, float[] x, int m, float[] y) {
        long work = (long) inFeatures * outFeatures;
        int minChunk = work < PARALLEL_MIN ? outFeatures : TILE_ROWS;
        if (m == 1) {
            // One token: the fused gemv reads each packed byte once and never builds a row.
            Parallel.forRange(outFeatures, minChunk, (r0, r1) -> Functional.gemv4bit(x, s, y, r0, r1));
            return;
        }
        if (m >= WIDE_MIN_TOKENS) {
            wideProduct(s, x, m, y);
            return;
        }
        Parallel.forRange(outFeatures, minChunk, (r0, r1) -> {
            float[] tile = new float[Math.min(TILE_ROWS, r1 - r0) * inFeatures];
            for (int o0 = r0; o0 < r1; o0 += TILE_ROWS) {
                int rows = Math.min(TILE_ROWS, r1 - o0);
                Functional.dequantize4bit(s, (long) o0 * inFeatures, rows * inFeatures, tile, 0);
                // y[:, o0:o0+rows] = x [m, in] . tile[rows, in]^T
                Gemm.sgemm(false, true, m, rows, inFeatures, 1f, x, 0, inFeatures, tile, 0, inFeatures,
                        0f, y, o0, outFeatures);
            }
        });
    }

    /**
     * Many tokens (prefill): dequantize a wide slab of rows (up to 1M floats) in parallel, then one
     * parallel GEMM over it, so the GEMM runs at full width instead of on narrow per-thread tiles.
     */
    private void wideProduct(QuantState s, float[] x, int m, float[] y) {
        int slab = Math.max(TILE_ROWS, Math.min(outFeatures, WIDE_SLAB_FLOATS / inFeatures));
        float[] buf = new float[slab * inFeatures];
        for (int o0 = 0; o0 < outFeatures; o0 += slab) {
            int rows = Math.min(slab, outFeatures - o0);
            int base = o0;
            Parallel.forRange(rows, TILE_ROWS, (r0, r1) -> Functional.dequantize4bit(s, (long) (base + r0) * inFeatures,
                    (r1 - r0) * inFeatures, buf, r0 * inFeatures));
            Gemm.sgemm(false, true, m, rows, inFeatures, 1f, x, 0, inFeatures, buf, 0, inFeatures, 0f, y, o0,
                    outFeatures);
        }
    }

    /** dX[m, in] = g[m, out] W[out, in], W dequantized a tile of rows at a time. */
    private float[] timesWeight(QuantState s, float[] g, int m) {
        float[] r = new float[m * inFeatures];
        float[] tile = new float[Math.min(TILE_ROWS, outFeatures) * inFeatures];
        for (int o0 = 0; o0 < outFeatures; o0 += TILE_ROWS) {
            int rows = Math.min(TILE_ROWS, outFeatures - o0);
            Functional.dequantize4bit(s, (long) o0 * inFeatures, rows * inFeatures, tile, 0);
            Gemm.sgemm(false, false, m, inFeatures, rows, 1f, g, o0, outFeatures, tile, 0, inFeatures,
                    1f, r, 0, inFeatures);
        }
        return r;
    }

    /** The weight as float32 [out, in]: {@code dequantize_4bit} of the state (or the dense weight). */
    @Override
    public Tensor dequantizedWeight() {
        if (state == null) {
            return dense.value().toF32();
        }
        return Tensor.of(Functional.dequantize4bit(state), outFeatures, inFeatures);
    }

    /**
     * Stores {@code dense} [out, in] as the weight. With {@code requantize} it is quantized again
     * with this layer's type, blocksize and double quantization (peft's 4-bit merge, which warns
     * that rounding may change generations); without, the layer keeps a float32 weight and its
     * parameters become a plain Linear's ({@code weight} [out, in], {@code bias}).
     */
    @Override
    public void replaceWeight(Tensor dense, boolean requantize) {
        if (!Arrays.equals(dense.shape(), new int[] {outFeatures, inFeatures})) {
            throw new IllegalArgumentException("replacement weight of shape " + Arrays.toString(dense.shape())
                    + " does not match Linear4bit [" + outFeatures + ", " + inFeatures + "]");
        }
        if (requantize) {
            QuantState old = state;
            String type = old != null ? old.quantType() : "nf4";
            int blocksize = old != null ? old.blocksize() : Functional.DEFAULT_BLOCKSIZE;
            boolean nested = old == null || old.nested();
            LOG.warn("Merge lora module to 4-bit linear may get different generations due to rounding errors.");
            registerState(Functional.quantize4bit(dense.toFloatArray(), dense.shape(),
                    old != null ? old.dtype() : DType.F32, blocksize, type, nested));
            return;
        }
        for (String name : statNames) {
            removeParameter(name);
        }
        statNames = List.of();
        removeParameter("weight");
        this.dense = register("weight", new Parameter(dense.toF32(), false));
        this.state = null;
        this.bnb4 = null;
    }

    @Override
    public String toString() {
        return state == null ? "Linear4bit(in=" + inFeatures + ", out=" + outFeatures + ", dense)"
                : "Linear4bit(in=" + inFeatures + ", out=" + outFeatures + ", " + state.quantType() + ", blocksize="
                + state.blocksize() + ", double_quant=" + state.nested() + ")";
    }
}
