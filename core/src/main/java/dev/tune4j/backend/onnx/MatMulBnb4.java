package dev.tune4j.backend.onnx;

import dev.tune4j.backend.Bnb4Weight;
import dev.tune4j.backend.onnx.GraphBuilder.Attr;
import java.util.List;

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
        // ORT's kernels have bitsandbytes' tables compiled in (quant_type picks one; a graph cannot
        // pass its own). Its FP4 writes the second zero as -0, which dequantizes alike.
        float[] table = Bnb4Weight.standardTable(w.quantType());
        float[] map = w.quantMap();
        for (int i = 0; i < 16; i++) {
            if (map[i] != table[i]) {   // ==, not bits: +0 and -0 dequantize alike
                throw unsupported(param, "quant_map[" + i + "] = " + map[i] + " where " + w.quantType().toUpperCase(
                        java.util.Locale.ROOT) + " has " + table[i] + ": ORT's MatMulBnb4 has the standard bitsandbytes"
                        + " tables built in and cannot take a custom quant_map");
            }
        }
    }

    /**
     * The float32 weight [out, in] that {@code packed} and {@code absmax} (the initializers
     * {@link Trace#linear4bit} declares) hold, in standard ONNX ops: what a backward needs for
     * {@code dX = dY W}. MatMulBnb4 cannot give it: its CPU kernel multiplies by the transposed
     * weight whatever its {@code transB} attribute says (the attribute only changes the shape
     * check). The codes index {@code w}'s own code table, the one the cpu backend dequantizes with.
     *
     * @param tokens a value whose first axis is the token count: the dequantization starts from
     *     slices of the initializers that depend on it, so that ORT cannot constant-fold the weight into a
     *     float32 initializer (8 times the packed bytes, for every layer: the memory 4-bit weights
     *     save); it is recomputed at each step instead, as bitsandbytes' backward does
     * @return the graph value of the dequantized weight, [out, in]
     */
    static String dequantize(GraphBuilder g, Bnb4Weight w, String packed, String absmax, String tokens) {
        long n = w.numel();
        long bytes = (n + 1) / 2;
        String zero = g.node("Mul", List.of(g.node("Shape", List.of(tokens), Attr.of("end", 1L)), g.longs(0)));
        // Every node below reads a weight through a slice starting at this run-time zero.
        String codes8 = g.node("Slice", List.of(packed, zero, g.longs(bytes), g.longs(0)));
        // Two codes per byte, the even element in the high nibble: [bytes, 2] flattened is the flat index.
        String high = g.node("BitShift", List.of(codes8, g.uint8(4)), Attr.of("direction", "RIGHT"));
        String low = g.node("BitwiseAnd", List.of(codes8, g.uint8(0x0F)));
        String pairs = g.node("Concat", List.of(g.node("Unsqueeze", List.of(high, g.longs(1))),
                g.node("Unsqueeze", List.of(low, g.longs(1)))), Attr.of("axis", 1));
        String codes = g.node("Cast", List.of(g.node("Reshape", List.of(pairs, g.longs(-1)))), Attr.of("to", GraphBuilder.INT64));
        String values = g.node("Gather", List.of(g.floats(w.quantMap()), codes), Attr.of("axis", 0));   // (2 * bytes)
        // One scale per block of blocksize consecutive elements of the flat index; the block size is
        // even, so the blocks cover the odd element's padding nibble too.
        long covered = w.blocks() * w.blocksize();
        if (covered > 2 * bytes) {
            values = g.node("Pad", List.of(values, g.longs(0, covered - 2 * bytes)));
        }
        String blocks = g.node("Reshape", List.of(values, g.longs(w.blocks(), w.blocksize())));
        String scales = g.node("Slice", List.of(absmax, zero, g.longs(w.blocks()), g.longs(0)));
        String scaled = g.node("Mul", List.of(blocks, g.node("Unsqueeze", List.of(scales, g.longs(1)))));
        String flat = g.node("Slice", List.of(g.node("Reshape", List.of(scaled, g.longs(-1))), g.longs(0), g.longs(n), g.longs(0)));
        return g.node("Reshape", List.of(flat, g.longs(w.outFeatures(), w.inFeatures())));
    }

    private static UnsupportedOperationException unsupported(String param, String why) {
        return new UnsupportedOperationException("4-bit weight " + param + " cannot be lowered to ONNX Runtime's"
                + " com.microsoft.MatMulBnb4: " + why);
    }
}
