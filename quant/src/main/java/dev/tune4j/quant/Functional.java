package dev.tune4j.quant;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.util.Arrays;

/**
 * bitsandbytes-compatible quantization, mirroring {@code bitsandbytes.functional}: blockwise
 * NF4/FP4 with optional double quantization, 8-bit blockwise quantization with the dynamic map,
 * and fused 4-bit matrix products.
 *
 * <p>Quantization follows bitsandbytes' default (pure torch, CPU) backend bit for bit: the same
 * float32 operations in the same order, the same tie rule and the same summation order for the
 * double-quantization mean; dequantization is {@code quant_map[code] * absmax} as on every
 * backend. The fused products ({@link #gemv4bit}, {@link #matmul4bit}) never materialise the
 * full-precision weight and use the Vector API when {@code jdk.incubator.vector} is present.
 *
 * <pre>{@code
 * // bitsandbytes: packed, state = F.quantize_4bit(W, blocksize=64, quant_type="nf4", compress_statistics=True)
 * QuantState state = Functional.quantize4bit(w, 64, "nf4", true);
 * // W_hat = F.dequantize_4bit(packed, state)
 * float[] wHat = Functional.dequantize4bit(state);
 * }</pre>
 */
public final class Functional {
    /** bitsandbytes' default blocksize for 4-bit quantization. */
    public static final int DEFAULT_BLOCKSIZE = 64;
    /** Blocksize of the nested 8-bit quantization of the absmax (double quantization). */
    public static final int NESTED_BLOCKSIZE = 256;
    /** bitsandbytes' default blocksize for {@code quantize_blockwise}. */
    public static final int DEFAULT_BLOCKWISE_BLOCKSIZE = 4096;

    private static final Codebook NF4_BOOK = new Codebook(CodeTables.fourBitTableShared("nf4"));
    private static final Codebook FP4_BOOK = new Codebook(CodeTables.fourBitTableShared("fp4"));
    private static final Codebook SIGNED_DYNAMIC_BOOK = new Codebook(CodeTables.dynamicMapShared(true));

    private Functional() {}

    /**
     * The 16-entry table of a 4-bit type, index to value ({@code get_4bit_type}).
     *
     * @param quantType {@code "nf4"} or {@code "fp4"}
     */
    public static float[] get4bitType(String quantType) {
        return CodeTables.fourBitTable(quantType);
    }

    /**
     * {@code create_dynamic_map(signed, max_exponent_bits, total_bits)}: the 256-entry dynamic
     * quantization map (sorted ascending, zero-padded), built with torch 2.x's float32
     * {@code linspace}. Defaults are {@code (true, 7, 8)}; the 8-bit optimizers use the signed map
     * for the first moment and the unsigned one for the second.
     */
    public static float[] createDynamicMap(boolean signed, int maxExponentBits, int totalBits) {
        if (maxExponentBits == 7 && totalBits == 8) {
            return CodeTables.dynamicMapShared(signed).clone();
        }
        return CodeTables.createDynamicMap(signed, maxExponentBits, totalBits);
    }

    /**
     * {@code create_normal_map(offset, use_extra_value)}: 256 values (zero-padded) from normal
     * quantiles, divided by the largest. With the defaults {@code (0.9677083, true)} its
     * non-padding values are the NF4 table.
     */
    public static float[] createNormalMap(double offset, boolean useExtraValue) {
        return CodeTables.createNormalMap(offset, useExtraValue);
    }

    /**
     * {@code quantize_4bit(A)} with bitsandbytes' defaults: blocksize 64, {@code "fp4"}, no double
     * quantization.
     */
    public static QuantState quantize4bit(float[] values) {
        return quantize4bit(values, DEFAULT_BLOCKSIZE, "fp4", false);
    }

    /** {@link #quantize4bit(float[], int[], DType, int, String, boolean)} of a 1-D float32 array. */
    public static QuantState quantize4bit(float[] values, int blocksize, String quantType, boolean compressStatistics) {
        return quantize4bit(values, new int[] {values.length}, DType.F32, blocksize, quantType, compressStatistics);
    }

    /**
     * {@code quantize_4bit(A, blocksize, compress_statistics, quant_type)} of a tensor: its values
     * (converted to float32, which is exact for F16/BF16), its shape, and its dtype recorded in
     * the quant-state JSON.
     */
    public static QuantState quantize4bit(Tensor a, int blocksize, String quantType, boolean compressStatistics) {
        return quantize4bit(a.toFloatArray(), a.shape(), a.dtype(), blocksize, quantType, compressStatistics);
    }

    /**
     * Blockwise 4-bit quantization, bit-identical to bitsandbytes' default backend.
     *
     * @param values             row-major values of the tensor (a Linear weight is [out, in])
     * @param shape              the tensor shape, recorded in the state
     * @param dtype              the tensor's original dtype, recorded in the quant-state JSON
     * @param blocksize          32, 64 (the default), 128, ..., 4096
     * @param quantType          {@code "nf4"} or {@code "fp4"}
     * @param compressStatistics double quantization: the absmax minus its mean, 8-bit quantized in
     *                           blocks of 256 with the signed dynamic map. The mean is summed in
     *                           torch's single-threaded CPU order (AVX2 build); above 32768 blocks
     *                           torch splits the sum across threads, so its {@code nested_offset}
     *                           then depends on the thread count and may differ by an ulp. The
     *                           offset is stored, so loading is exact either way.
     * @throws IllegalArgumentException for an unknown type, a bad blocksize, an empty or non-finite
     *                                  input, or a shape that does not match the values
     */
    public static QuantState quantize4bit(float[] values, int[] shape, DType dtype, int blocksize, String quantType,
                                          boolean compressStatistics) {
        float[] table = CodeTables.fourBitTable(quantType);
        Blockwise.checkBlocksize(blocksize, "4-bit");
        if (Tensor.numel(shape) != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + Tensor.numel(shape)
                    + " elements but " + values.length + " values were given");
        }
        if (values.length == 0) {
            throw new IllegalArgumentException("cannot quantize an empty tensor of shape " + Arrays.toString(shape));
        }
        Codebook book = "nf4".equals(quantType) ? NF4_BOOK : FP4_BOOK;
        int n = values.length;
        byte[] packed = new byte[(n + 1) / 2];
        // Blocks start at even elements (the blocksize is even): pair codes into bytes.
        float[] absmax = Blockwise.quantize(values, blocksize, book, (start, codes, len) -> {
            int p = start >> 1;
            int j = 0;
            for (; j + 1 < len; j += 2) {
                packed[p++] = (byte) ((codes[j] << 4) | codes[j + 1]);
            }
            if (j < len) {
                packed[p] = (byte) (codes[j] << 4);
            }
        });
        if ((n & 1) == 1) {
            // bitsandbytes pads the odd element count with the code of a scaled 0.0 (7 for NF4, 0 for FP4).
            packed[n >> 1] |= (byte) book.index(0.0f);
        }
        if (!compressStatistics) {
            return new QuantState(packed, absmax, null, null, null, 0f, table, shape, dtype, blocksize, quantType, 0);
        }
        float offset = TorchSum.mean(absmax);
        float[] centered = new float[absmax.length];
        for (int i = 0; i < centered.length; i++) {
            centered[i] = absmax[i] - offset;
        }
        BlockwiseQuantState nested = quantizeBlockwise(centered, null, NESTED_BLOCKSIZE);
        return new QuantState(packed, null, nested.codes(), nested.absmax(), nested.code(), offset, table, shape,
                dtype, blocksize, quantType, NESTED_BLOCKSIZE);
    }

    /**
     * {@code dequantize_4bit(A, quant_state)}: {@code quant_map[code] * scale[block]} in float32,
     * the scale recovered from the nested statistics when double quantized. The values are those
     * bitsandbytes computes in float32 before casting to the state's dtype.
     */
    public static float[] dequantize4bit(QuantState state) {
        long n = state.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(state.shape())
                    + " is too large for one float[]; use gemv4bit/matmul4bit or dequantize in row ranges");
        }
        float[] out = new float[(int) n];
        Kernels4bit.get().dequantize(state, 0, (int) n, out, 0);
        return out;
    }

    /**
     * Dequantizes elements {@code [start, start + len)} of the flattened tensor into
     * {@code out[outOffset ...]}, with the same values as {@link #dequantize4bit(QuantState)}.
     */
    public static void dequantize4bit(QuantState state, long start, int len, float[] out, int outOffset) {
        if (start < 0 || len < 0 || start + len > state.numel()) {
            throw new IndexOutOfBoundsException("range [" + start + ", " + (start + len) + ") outside a tensor of "
                    + state.numel() + " elements");
        }
        Kernels4bit.get().dequantize(state, start, len, out, outOffset);
    }

    /**
     * {@code gemv_4bit}: {@code out = W a} for a 4-bit weight W stored [out, in] (a Linear
     * weight) and a vector {@code a} of length in, without materialising W. Results equal
     * dequantize-then-multiply up to float32 summation order.
     */
    public static void gemv4bit(float[] a, QuantState w, float[] out) {
        int[] dims = linearDims(w);
        if (a.length != dims[1] || out.length != dims[0]) {
            throw new IllegalArgumentException("gemv4bit: weight " + Arrays.toString(dims) + " needs an input of length "
                    + dims[1] + " and an output of length " + dims[0] + ", found " + a.length + " and " + out.length);
        }
        Kernels4bit.get().gemv(w, dims[1], a, out, 0, dims[0]);
    }

    /**
     * Rows {@code [rowStart, rowEnd)} of {@link #gemv4bit(float[], QuantState, float[])}, so that
     * callers can split the output features across threads.
     */
    public static void gemv4bit(float[] a, QuantState w, float[] out, int rowStart, int rowEnd) {
        int[] dims = linearDims(w);
        if (a.length < dims[1] || out.length < dims[0] || rowStart < 0 || rowEnd > dims[0] || rowStart > rowEnd) {
            throw new IllegalArgumentException("gemv4bit: rows [" + rowStart + ", " + rowEnd + ") of weight "
                    + Arrays.toString(dims) + " with input " + a.length + " and output " + out.length);
        }
        Kernels4bit.get().gemv(w, dims[1], a, out, rowStart, rowEnd);
    }

    /**
     * {@code matmul_4bit(A, W.t())}: {@code out[m, outFeatures] = a[m, in] Wᵀ} for a 4-bit weight
     * W stored [out, in], dequantizing a few rows of W at a time into a small buffer.
     */
    public static void matmul4bit(float[] a, int m, QuantState w, float[] out) {
        int[] dims = linearDims(w);
        if ((long) m * dims[1] != a.length || (long) m * dims[0] != out.length) {
            throw new IllegalArgumentException("matmul4bit: weight " + Arrays.toString(dims) + " with " + m
                    + " input rows needs a of length " + (long) m * dims[1] + " and out of length "
                    + (long) m * dims[0] + ", found " + a.length + " and " + out.length);
        }
        if (m == 1) {
            Kernels4bit.get().gemv(w, dims[1], a, out, 0, dims[0]);
            return;
        }
        Kernels4bit.get().matmul(w, dims[1], a, m, out, 0, dims[0]);
    }

    /** [out, in] of a 2-D weight state. */
    private static int[] linearDims(QuantState w) {
        int[] s = w.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException("4-bit matrix products need a 2-D [out, in] weight, found shape "
                    + Arrays.toString(s));
        }
        return s;
    }

    /** {@code quantize_blockwise(A)} with the defaults: the signed dynamic map, blocksize 4096. */
    public static BlockwiseQuantState quantizeBlockwise(float[] values) {
        return quantizeBlockwise(values, null, DEFAULT_BLOCKWISE_BLOCKSIZE);
    }

    /**
     * {@code quantize_blockwise(A, code, blocksize)}: one 8-bit code per element, the nearest
     * entry of {@code code} after scaling each block by its absmax (bitsandbytes' default backend,
     * same tie and partial-block rules as the 4-bit path).
     *
     * @param code the 256-entry table, or null for the signed dynamic map
     */
    public static BlockwiseQuantState quantizeBlockwise(float[] values, float[] code, int blocksize) {
        byte[] codes = new byte[values.length];
        int blocks = (values.length + blocksize - 1) / Math.max(blocksize, 1);
        float[] absmax = new float[blocks];
        float[] table = quantizeBlockwise(values, code, blocksize, codes, absmax);
        return new BlockwiseQuantState(codes, absmax, table, blocksize);
    }

    /**
     * {@link #quantizeBlockwise(float[], float[], int)} into caller-provided arrays (as the 8-bit
     * optimizers do every step).
     *
     * @return the code table used
     */
    public static float[] quantizeBlockwise(float[] values, float[] code, int blocksize, byte[] codesOut,
                                            float[] absmaxOut) {
        Blockwise.checkBlocksize(blocksize, "8-bit");
        float[] table = code == null ? CodeTables.dynamicMapShared(true).clone() : code;
        if (table.length != 256) {
            throw new IllegalArgumentException("8-bit code table must hold 256 values, found " + table.length);
        }
        int blocks = (values.length + blocksize - 1) / blocksize;
        if (codesOut.length < values.length || absmaxOut.length < blocks) {
            throw new IllegalArgumentException("quantizeBlockwise of " + values.length + " values needs " + values.length
                    + " codes and " + blocks + " absmax slots, found " + codesOut.length + " and " + absmaxOut.length);
        }
        Codebook book = code == null ? SIGNED_DYNAMIC_BOOK : new Codebook(table);
        float[] absmax = Blockwise.quantize(values, blocksize, book,
                (start, codes, len) -> System.arraycopy(codes, 0, codesOut, start, len));
        System.arraycopy(absmax, 0, absmaxOut, 0, absmax.length);
        return table;
    }

    /** {@code dequantize_blockwise(A, quant_state)}: {@code code[q] * absmax[i / blocksize]} in float32. */
    public static float[] dequantizeBlockwise(BlockwiseQuantState state) {
        float[] out = new float[state.codes().length];
        dequantizeBlockwise(state.codes(), state.absmax(), state.code(), state.blocksize(), out);
        return out;
    }

    /** {@link #dequantizeBlockwise(BlockwiseQuantState)} into a caller-provided array. */
    public static void dequantizeBlockwise(byte[] codes, float[] absmax, float[] code, int blocksize, float[] out) {
        Blockwise.checkBlocksize(blocksize, "8-bit");
        if (out.length < codes.length || absmax.length < (codes.length + blocksize - 1) / blocksize || code.length != 256) {
            throw new IllegalArgumentException("dequantizeBlockwise: " + codes.length + " codes need "
                    + (codes.length + blocksize - 1) / blocksize + " absmax values, a 256-entry code and an output of "
                    + codes.length + "; found " + absmax.length + ", " + code.length + " and " + out.length);
        }
        for (int b = 0, start = 0; start < codes.length; b++, start += blocksize) {
            float a = absmax[b];
            int end = Math.min(start + blocksize, codes.length);
            for (int i = start; i < end; i++) {
                out[i] = code[codes[i] & 0xFF] * a;
            }
        }
    }

    /**
     * Storage in bits per parameter of a 4-bit tensor of {@code numel} elements, per-tensor
     * constants excluded: 4 bits per code plus 32 bits per block, or with double quantization 8
     * bits per block plus 32 bits per nested block of 256 blocks.
     */
    public static double bitsPerParameter(long numel, int blocksize, boolean doubleQuant) {
        long blocks = (numel + blocksize - 1) / blocksize;
        long bits = 4 * numel;
        if (doubleQuant) {
            bits += 8 * blocks + 32 * ((blocks + NESTED_BLOCKSIZE - 1) / NESTED_BLOCKSIZE);
        } else {
            bits += 32 * blocks;
        }
        return (double) bits / numel;
    }
}
