package dev.tune4j.backend;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A bitsandbytes 4-bit weight [out, in] as a backend sees it: what {@link Backend#linear4bit}
 * needs to lower the product to another runtime (ONNX Runtime's {@code com.microsoft.MatMulBnb4}),
 * without core knowing the quant module.
 *
 * <p>The layout is bitsandbytes': the weight flattened row-major ([out, in], torch Linear), cut
 * into blocks of {@link #blocksize()} consecutive elements with one float32 scale each
 * ({@link #absmax()}); element i dequantizes to {@code quantMap[code(i)] * absmax[i / blocksize]}.
 * {@link #weight()} packs two 4-bit codes per byte, the even element in the high nibble,
 * {@code (out * in + 1) / 2} bytes: bitsandbytes' {@code Params4bit} data, which is the packed
 * {@code B} input of {@code MatMulBnb4} unchanged.
 *
 * <p>With double quantization ({@code bnb_4bit_use_double_quant}) the stored scales are 8-bit
 * codes; {@link #absmax()} is then their float32 dequantization, computed on the first call and
 * kept, so a layer that never leaves the CPU backend never pays for it.
 *
 * <pre>{@code
 * // bitsandbytes: W = layer.weight; state = W.quant_state
 * //   bnb.matmul_4bit(x, W.t(), quant_state=state, bias=layer.bias)
 * Tensor y = backend.linear4bit(x, weight, bias, this::computeOnCpu);
 * }</pre>
 */
public final class Bnb4Weight {
    private final Tensor weight;
    private final String quantType;
    private final int blocksize;
    private final int outFeatures;
    private final int inFeatures;
    private final float[] quantMap;
    private final Supplier<float[]> absmaxSource;
    private volatile float[] absmax;

    /**
     * bitsandbytes' hard-coded NF4 table (index to value). Each literal is exactly a float32; the
     * construction from normal quantiles in the quant module reproduces it.
     */
    private static final float[] NF4 = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    };

    /**
     * FP4 (1 sign, 2 exponent, 1 mantissa bit, bias 2) by bit pattern, before normalisation. The
     * Python source writes {@code -0} for pattern 0b1000, which is the integer 0, so that entry is
     * +0.0 and the table holds two identical zeros.
     */
    private static final float[] FP4_RAW = {
        0f, 0.0625f, 8f, 12f, 4f, 6f, 2f, 3f,
        0f, -0.0625f, -8f, -12f, -4f, -6f, -2f, -3f,
    };

    /**
     * A copy of bitsandbytes' standard 16-entry code table of {@code "nf4"} or {@code "fp4"} (FP4
     * normalised by its largest magnitude, as bitsandbytes does): what a {@code quant_map} holds
     * unless a checkpoint brings its own.
     *
     * @throws IllegalArgumentException for another quant type
     */
    public static float[] standardTable(String quantType) {
        if ("nf4".equals(quantType)) {
            return NF4.clone();
        }
        if (!"fp4".equals(quantType)) {
            throw new IllegalArgumentException("quant_type must be \"nf4\" or \"fp4\", found " + quantType);
        }
        float max = 0f;
        for (float v : FP4_RAW) {
            max = Math.max(max, Math.abs(v));
        }
        float[] t = new float[16];
        for (int i = 0; i < 16; i++) {
            t[i] = FP4_RAW[i] / max;
        }
        return t;
    }

    /**
     * @param weight      the layer's packed U8 weight parameter itself (bitsandbytes stores it as
     *                    {@code [(n+1)/2, 1]}); a tracing backend names its graph value after the
     *                    parameter, so pass the registered tensor, not a copy
     * @param quantType   {@code "nf4"} or {@code "fp4"}
     * @param blocksize   elements per absmax block
     * @param quantMap    the 16-entry code table ({@code quant_map})
     * @param absmax      computes the float32 scale of every block; called at most once
     */
    public Bnb4Weight(Tensor weight, String quantType, int blocksize, int outFeatures, int inFeatures,
                      float[] quantMap, Supplier<float[]> absmax) {
        this.weight = Objects.requireNonNull(weight, "weight");
        if (!"nf4".equals(quantType) && !"fp4".equals(quantType)) {
            throw new IllegalArgumentException("quant_type must be \"nf4\" or \"fp4\", found \"" + quantType + "\"");
        }
        if (blocksize <= 0 || outFeatures <= 0 || inFeatures <= 0) {
            throw new IllegalArgumentException("4-bit weight [" + outFeatures + ", " + inFeatures + "] with blocksize "
                    + blocksize + ": all must be positive");
        }
        long bytes = ((long) outFeatures * inFeatures + 1) / 2;
        if (weight.dtype() != DType.U8 || weight.numel() != bytes) {
            throw new IllegalArgumentException("packed 4-bit weight [" + outFeatures + ", " + inFeatures + "] should be "
                    + bytes + " U8 bytes, found " + weight.dtype() + " " + Arrays.toString(weight.shape()));
        }
        if (quantMap == null || quantMap.length != 16) {
            throw new IllegalArgumentException("quant_map should hold 16 values, found "
                    + (quantMap == null ? "none" : quantMap.length));
        }
        this.quantType = quantType;
        this.blocksize = blocksize;
        this.outFeatures = outFeatures;
        this.inFeatures = inFeatures;
        this.quantMap = quantMap;
        this.absmaxSource = Objects.requireNonNull(absmax, "absmax");
    }

    /** The packed codes, U8, {@code (out * in + 1) / 2} bytes (the layer's {@code weight} parameter). */
    public Tensor weight() {
        return weight;
    }

    /** {@code "nf4"} or {@code "fp4"} ({@code bnb_4bit_quant_type}). */
    public String quantType() {
        return quantType;
    }

    /** Elements per absmax block. */
    public int blocksize() {
        return blocksize;
    }

    /** Rows of the weight (N of {@code MatMulBnb4}). */
    public int outFeatures() {
        return outFeatures;
    }

    /** Columns of the weight (K of {@code MatMulBnb4}). */
    public int inFeatures() {
        return inFeatures;
    }

    /** Elements of the weight, {@code out * in}. */
    public long numel() {
        return (long) outFeatures * inFeatures;
    }

    /** Number of absmax blocks, {@code ceil(out * in / blocksize)}. */
    public long blocks() {
        return (numel() + blocksize - 1) / blocksize;
    }

    /** The 16-entry code table, shared: do not modify. */
    public float[] quantMap() {
        return quantMap;
    }

    /**
     * The float32 scale of every block ({@link #blocks()} values), shared: do not modify. With
     * double quantization it is dequantized on the first call and kept.
     *
     * @throws IllegalStateException when the source returns the wrong number of scales
     */
    public float[] absmax() {
        float[] a = absmax;
        if (a == null) {
            synchronized (this) {
                a = absmax;
                if (a == null) {
                    a = absmaxSource.get();
                    if (a == null || a.length != blocks()) {
                        throw new IllegalStateException("4-bit weight [" + outFeatures + ", " + inFeatures
                                + "] with blocksize " + blocksize + " needs " + blocks() + " absmax values, found "
                                + (a == null ? "none" : a.length));
                    }
                    absmax = a;
                }
            }
        }
        return a;
    }

    @Override
    public String toString() {
        return "Bnb4Weight(" + quantType + ", [" + outFeatures + ", " + inFeatures + "], blocksize=" + blocksize + ")";
    }
}
