package dev.tune4j.backend.onnx;

import dev.tune4j.backend.Bnb4Weight;

/**
 * What ONNX Runtime's {@code com.microsoft.MatMulBnb4} contrib op (opset 1) accepts, checked
 * before a 4-bit weight is lowered to it, so that a layer it cannot run fails at compile time
 * naming the layer instead of deep inside a session run.
 *
 * <p>The op: {@code Y[M, N] = A[M, K] dequant(B)^T}; inputs {@code A} float, {@code B} uint8
 * {@code [(N*K+1)/2]}, {@code absmax} float {@code [ceil(N*K / block_size)]}; attributes {@code K},
 * {@code N}, {@code block_size}, {@code quant_type} (0 FP4, 1 NF4). {@code B} is the [N, K] weight
 * flattened and packed two codes per byte, even element in the high nibble, blocks running over
 * the flat index: exactly bitsandbytes' layout of a {@code Linear} weight [out, in], so the packed
 * bytes are handed over as they are (no transpose, no repacking). K need not be a multiple of
 * the block size, since blocks run over the flat index.
 */
final class MatMulBnb4 {
    static final String DOMAIN = "com.microsoft";

    /**
     * The code tables compiled into ORT's kernels (the {@code quant_type} attribute picks one; a
     * graph cannot pass its own). They equal bitsandbytes' NF4 and FP4 tables, up to the sign of
     * FP4's second zero, which does not change a product.
     */
    private static final float[] NF4 = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    };

    /** FP4 (sign, 2 exponent bits, 1 mantissa bit) by bit pattern, normalised by its largest value 12. */
    private static final float[] FP4 = {
        0f, 0.0625f / 12f, 8f / 12f, 12f / 12f, 4f / 12f, 6f / 12f, 2f / 12f, 3f / 12f,
        -0f, -0.0625f / 12f, -8f / 12f, -12f / 12f, -4f / 12f, -6f / 12f, -2f / 12f, -3f / 12f,
    };

    private MatMulBnb4() {}

    /** The {@code quant_type} attribute: 0 for FP4, 1 for NF4. */
    static int quantType(String quantType) {
        return "fp4".equals(quantType) ? 0 : 1;
    }

    /**
     * Throws when ORT cannot run {@code w} as MatMulBnb4 on the chosen execution provider.
     *
     * @param param the layer's weight name, for messages
     * @param cuda  the CUDA execution provider (else the CPU one)
     * @throws UnsupportedOperationException naming the layer, what ORT accepts and what was found
     */
    static void check(Bnb4Weight w, String param, boolean cuda) {
        int b = w.blocksize();
        if (cuda) {
            // The CUDA dequantize kernel reads 16 codes per thread under one scale.
            if (b % 16 != 0) {
                throw unsupported(param, "blocksize " + b + ": ORT's CUDA MatMulBnb4 needs a multiple of 16");
            }
        } else if (b != 16 && b != 32 && b != 64 && b != 128 && b != 256) {
            // ORT's CPU kernel is instantiated for these block sizes only; others fail when run.
            throw unsupported(param, "blocksize " + b + ": ORT's CPU MatMulBnb4 supports block sizes 16, 32, 64,"
                    + " 128 and 256 (bitsandbytes' default is 64); quantize with one of them, or use the cpu backend");
        }
        if (w.numel() > Integer.MAX_VALUE) {
            // ORT's bnb4 kernels count the weight's elements in a 32-bit int.
            throw unsupported(param, "shape [" + w.outFeatures() + ", " + w.inFeatures() + "]: ORT's MatMulBnb4 takes"
                    + " at most 2^31 - 1 weight elements");
        }
        float[] table = "fp4".equals(w.quantType()) ? FP4 : NF4;
        float[] map = w.quantMap();
        for (int i = 0; i < 16; i++) {
            if (map[i] != table[i]) {   // ==, not bits: +0 and -0 dequantize alike
                throw unsupported(param, "quant_map[" + i + "] = " + map[i] + " where " + w.quantType().toUpperCase(
                        java.util.Locale.ROOT) + " has " + table[i] + ": ORT's MatMulBnb4 has the standard bitsandbytes"
                        + " tables built in and cannot take a custom quant_map");
            }
        }
    }

    private static UnsupportedOperationException unsupported(String param, String why) {
        return new UnsupportedOperationException("4-bit weight " + param + " cannot be lowered to ONNX Runtime's"
                + " com.microsoft.MatMulBnb4: " + why);
    }
}
