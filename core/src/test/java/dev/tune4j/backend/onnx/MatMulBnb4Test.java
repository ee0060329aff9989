package dev.tune4j.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tune4j.backend.Bnb4Weight;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the MatMulBnb4 lowering accepts (ORT's kernels: CPU block sizes 16..256, CUDA multiples of
 * 16, the built-in NF4/FP4 tables) and the {@link Bnb4Weight} contract (packed size, scales
 * computed once).
 */
class MatMulBnb4Test {
    /** bitsandbytes' FP4 table as bitsandbytes builds it: raw values over 12, with +0 at index 8. */
    private static final float[] BNB_FP4 = fp4();

    private static final float[] NF4 = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    };

    private static float[] fp4() {
        float[] raw = {0f, 0.0625f, 8f, 12f, 4f, 6f, 2f, 3f, 0f, -0.0625f, -8f, -12f, -4f, -6f, -2f, -3f};
        float[] t = new float[16];
        for (int i = 0; i < 16; i++) {
            t[i] = raw[i] / 12f;
        }
        return t;
    }

    private static Bnb4Weight weight(String type, int blocksize, int out, int in, float[] map, float[] absmax) {
        Tensor packed = Tensor.wrap(MemorySegment.ofArray(new byte[(out * in + 1) / 2]), DType.U8, (out * in + 1) / 2, 1);
        return new Bnb4Weight(packed, type, blocksize, out, in, map, () -> absmax);
    }

    @Test
    void cpuTakesTheBlockSizesItsKernelIsBuiltFor() {
        for (int b : new int[] {16, 32, 64, 128, 256}) {
            assertDoesNotThrow(() -> MatMulBnb4.check(weight("nf4", b, 8, 64, NF4, null), "w", false));
        }
        for (int b : new int[] {512, 1024, 4096}) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> MatMulBnb4.check(weight("nf4", b, 8, 64, NF4, null), "model.layers.0.mlp.up_proj.weight", false));
            assertTrue(e.getMessage().contains("model.layers.0.mlp.up_proj.weight") && e.getMessage().contains("blocksize " + b),
                    e.getMessage());
            // The CUDA kernels read 16 codes under one scale: every bitsandbytes block size qualifies.
            assertDoesNotThrow(() -> MatMulBnb4.check(weight("nf4", b, 8, 64, NF4, null), "w", true));
        }
        assertThrows(UnsupportedOperationException.class,
                () -> MatMulBnb4.check(weight("nf4", 24, 8, 64, NF4, null), "w", true));
    }

    @Test
    void bitsandbytesTablesAreOrtsTablesAndOthersAreRefused() {
        assertDoesNotThrow(() -> MatMulBnb4.check(weight("nf4", 64, 8, 64, NF4, null), "w", false));
        assertDoesNotThrow(() -> MatMulBnb4.check(weight("fp4", 64, 8, 64, BNB_FP4, null), "w", false));
        assertEquals(1, MatMulBnb4.quantType("nf4"));
        assertEquals(0, MatMulBnb4.quantType("fp4"));
        // The NF4 table under quant_type fp4 is not ORT's FP4 table.
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> MatMulBnb4.check(weight("fp4", 64, 8, 64, NF4, null), "w", false));
        assertTrue(e.getMessage().contains("quant_map[0] = -1.0"), e.getMessage());
    }

    @Test
    void scalesAreComputedOnceAndChecked() {
        AtomicInteger calls = new AtomicInteger();
        float[] scales = new float[3];   // 8 x 20 = 160 elements in blocks of 64
        Tensor packed = Tensor.wrap(MemorySegment.ofArray(new byte[80]), DType.U8, 80, 1);
        Bnb4Weight w = new Bnb4Weight(packed, "nf4", 64, 8, 20, NF4, () -> {
            calls.incrementAndGet();
            return scales;
        });
        assertEquals(0, calls.get(), "nothing is computed until a backend asks");
        assertSame(scales, w.absmax());
        assertSame(scales, w.absmax());
        assertEquals(1, calls.get());

        Bnb4Weight wrong = weight("nf4", 64, 8, 20, NF4, new float[2]);
        IllegalStateException e = assertThrows(IllegalStateException.class, wrong::absmax);
        assertTrue(e.getMessage().contains("needs 3 absmax values, found 2"), e.getMessage());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Bnb4Weight(
                Tensor.wrap(MemorySegment.ofArray(new byte[79]), DType.U8, 79), "nf4", 64, 8, 20, NF4, () -> scales));
        assertTrue(bad.getMessage().contains("should be 80 U8 bytes"), bad.getMessage());
    }

    /**
     * The weight the training graph dequantizes for a 4-bit layer's input gradient: element i is
     * quant_map[code i] * absmax[i / blocksize] (code i the high nibble of byte i / 2 when i is
     * even), and x times its transpose is what ORT's MatMulBnb4 computes from the same bytes. Odd
     * sizes leave a padding nibble and a partial last block.
     */
    @ParameterizedTest(name = "{0} [{1}, {2}] blocksize {3}")
    @CsvSource({"nf4, 5, 7, 16", "fp4, 5, 7, 16", "nf4, 8, 20, 64", "fp4, 16, 32, 32"})
    void theGraphsDequantizedWeightIsBitsandbytesLayout(String type, int out, int in, int blocksize) throws Exception {
        SplittableRandom r = new SplittableRandom(out * 31L + in + blocksize);
        int n = out * in;
        byte[] bytes = new byte[(n + 1) / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) r.nextInt(256);
        }
        float[] absmax = new float[(n + blocksize - 1) / blocksize];
        for (int i = 0; i < absmax.length; i++) {
            absmax[i] = (float) (0.1 + r.nextDouble());
        }
        float[] map = type.equals("nf4") ? NF4 : BNB_FP4;
        float[] want = new float[n];
        for (int i = 0; i < n; i++) {
            int b = bytes[i / 2] & 0xFF;
            want[i] = map[i % 2 == 0 ? b >> 4 : b & 0x0F] * absmax[i / blocksize];
        }
        Tensor packed = Tensor.wrap(MemorySegment.ofArray(bytes), DType.U8, bytes.length, 1);
        Bnb4Weight w = new Bnb4Weight(packed, type, blocksize, out, in, map, () -> absmax);

        GraphBuilder g = new GraphBuilder();
        g.input("x", GraphBuilder.FLOAT, "tokens", in);
        g.weight("w", GraphBuilder.UINT8, 1, new int[] {bytes.length});
        g.weight("w.absmax", GraphBuilder.FLOAT, 4, new int[] {absmax.length});
        String dense = MatMulBnb4.dequantize(g, w, "w", "w.absmax", "x");
        g.identity(dense, "dense");
        g.output("dense", GraphBuilder.FLOAT, out, in);
        g.identity(g.node("MatMul", List.of("x", g.node("Transpose", List.of(dense)))), "y");
        g.output("y", GraphBuilder.FLOAT, "tokens", out);
        g.identity(g.nodeN("MatMulBnb4", MatMulBnb4.DOMAIN, List.of("x", "w", "w.absmax"), 1, GraphBuilder.Attr.of("K", in),
                GraphBuilder.Attr.of("N", out), GraphBuilder.Attr.of("block_size", blocksize),
                GraphBuilder.Attr.of("quant_type", MatMulBnb4.quantType(type)))[0], "y_bnb4");
        g.output("y_bnb4", GraphBuilder.FLOAT, "tokens", out);

        int tokens = 3;
        float[] x = new float[tokens * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        FloatBuffer scales = ByteBuffer.allocateDirect(absmax.length * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer()
                .put(absmax).flip();
        try (OnnxTensor wt = OnnxTensor.createTensor(env, direct, new long[] {bytes.length}, OnnxJavaType.UINT8);
             OnnxTensor at = OnnxTensor.createTensor(env, scales, new long[] {absmax.length});
             OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {tokens, in});
             OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            // All optimizations on, as the backend runs: the weights are declared as external data, so
            // a node folded at load time would fail to find them.
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            opts.addInitializer("w", wt);
            opts.addInitializer("w.absmax", at);
            try (OrtSession session = env.createSession(g.toBytes(), opts);
                 OrtSession.Result res = session.run(Map.of("x", xt))) {
                float[] got = new float[n];
                ((OnnxTensor) res.get("dense").orElseThrow()).getFloatBuffer().get(got);
                for (int i = 0; i < n; i++) {
                    assertEquals(want[i], got[i], 0f, "element " + i);
                }
                float[] y = new float[tokens * out];
                float[] yBnb4 = new float[tokens * out];
                ((OnnxTensor) res.get("y").orElseThrow()).getFloatBuffer().get(y);
                ((OnnxTensor) res.get("y_bnb4").orElseThrow()).getFloatBuffer().get(yBnb4);
                for (int i = 0; i < y.length; i++) {
                    assertEquals(yBnb4[i], y[i], 1e-5 * Math.max(1, Math.abs(yBnb4[i])), "x W^T element " + i);
                }
            }
        }
    }
}
