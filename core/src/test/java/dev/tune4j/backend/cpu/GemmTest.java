package dev.tune4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** sgemm against a double-precision naive product, over shapes that hit every edge of the blocking. */
class GemmTest {
    private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 47, 64, 65, 100};

    static Stream<Arguments> kernelsAndTransposes() {
        List<Arguments> out = new ArrayList<>();
        for (BlockedGemm kernels : Kernels.all()) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    out.add(Arguments.of(kernels.getClass().getSimpleName() + " " + kernels.mr + "x" + kernels.nr, kernels, ta, tb));
                }
            }
        }
        return out.stream();
    }

    /** Runs one product through {@code kernels} with random data, offsets and padded leading dimensions. */
    private static void check(BlockedGemm kernels, Random rnd, boolean ta, boolean tb, int m, int n, int k,
                              float alpha, float beta) {
        int aOff = rnd.nextInt(5);
        int bOff = rnd.nextInt(5);
        int cOff = rnd.nextInt(5);
        int lda = (ta ? m : k) + rnd.nextInt(4);
        int ldb = (tb ? k : n) + rnd.nextInt(4);
        int ldc = n + rnd.nextInt(4);
        float[] a = Reference.random(rnd, aOff + (ta ? k : m) * lda);
        float[] b = Reference.random(rnd, bOff + (tb ? n : k) * ldb);
        float[] c = Reference.random(rnd, cOff + m * ldc);
        if (beta == 0f) {
            Arrays.fill(c, Float.NaN); // beta = 0 must overwrite C, never read it
        }
        float[] c0 = c.clone();
        Reference.Product want = Reference.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c0, cOff, ldc);
        kernels.gemm(ta, m, n, k, alpha, a, aOff, lda, MatrixB.heap(b, bOff, ldb, tb), beta, c, cOff, ldc);
        String bad = Reference.mismatch(want, c, cOff, ldc, m, n);
        assertNull(bad, () -> "m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb
                + " alpha=" + alpha + " beta=" + beta + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc + ": " + bad);
        // Padding between rows of C (ldc > n) and the prefix before cOff stay untouched.
        for (int i = 0; i < cOff; i++) {
            assertEquals(Float.floatToRawIntBits(c0[i]), Float.floatToRawIntBits(c[i]), "C prefix written");
        }
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                int idx = cOff + i * ldc + j;
                assertEquals(Float.floatToRawIntBits(c0[idx]), Float.floatToRawIntBits(c[idx]), "C padding written");
            }
        }
    }

    @ParameterizedTest(name = "{0} transA={2} transB={3}")
    @MethodSource("kernelsAndTransposes")
    void randomShapes(String name, BlockedGemm kernels, boolean ta, boolean tb) {
        Random rnd = new Random(1234 + (ta ? 2 : 0) + (tb ? 1 : 0));
        float[] alphas = {1f, -0.5f, 2.5f};
        float[] betas = {0f, 1f, 0.75f};
        for (int trial = 0; trial < 40; trial++) {
            int m = SIZES[rnd.nextInt(SIZES.length)];
            int n = SIZES[rnd.nextInt(SIZES.length)];
            int k = SIZES[rnd.nextInt(SIZES.length)];
            check(kernels, rnd, ta, tb, m, n, k, alphas[rnd.nextInt(3)], betas[rnd.nextInt(3)]);
        }
    }

    @ParameterizedTest(name = "{0} transA={2} transB={3}")
    @MethodSource("kernelsAndTransposes")
    void crossesEveryBlockBoundary(String name, BlockedGemm kernels, boolean ta, boolean tb) {
        // m > MC, n > NC and k > 2 * KC, none a multiple of a tile: several blocks and ragged edges each way.
        Random rnd = new Random(77);
        check(kernels, rnd, ta, tb, 133, 1061, 531, 0.75f, 0.5f);
    }

    @ParameterizedTest(name = "{0} transA={2} transB={3}")
    @MethodSource("kernelsAndTransposes")
    void skinnyLeftOperandsSplitOverThreads(String name, BlockedGemm kernels, boolean ta, boolean tb) {
        Random rnd = new Random(5);
        for (int m = 1; m <= 6; m++) {
            check(kernels, rnd, ta, tb, m, 301, 1003, 1f, m % 2 == 0 ? 0f : 1f);
        }
        check(kernels, rnd, ta, tb, 1, 1, 1, 1f, 0f);
        check(kernels, rnd, ta, tb, 300, 1, 77, 1f, 0f);
        check(kernels, rnd, ta, tb, 2, 3, 5000, -1f, 0.5f);
    }

    @ParameterizedTest(name = "{0} transA={2} transB={3}")
    @MethodSource("kernelsAndTransposes")
    void llmShapesAgainstReference(String name, BlockedGemm kernels, boolean ta, boolean tb) {
        // A prefill-like projection (tokens x hidden x out) small enough for a double reference.
        Random rnd = new Random(11);
        check(kernels, rnd, ta, tb, 64, 384, 256, 1f, 0f);
    }

    @Test
    void tallProductsPackARowBlockAtATime() {
        // m * k above the packing cap (BlockedGemm.A_PACK_LIMIT): two row blocks, the second ragged;
        // n = 9 splits rows between threads, n = 70 splits columns.
        Random rnd = new Random(21);
        for (BlockedGemm kernels : Kernels.all()) {
            for (boolean ta : new boolean[] {false, true}) {
                check(kernels, rnd, ta, false, 4200, 9, 1003, 1f, 0.5f);
                check(kernels, rnd, ta, true, 4200, 70, 1003, 1f, 0f);
            }
        }
    }

    @Test
    void emptyDepthScalesC() {
        float[] c = {1, 2, 3, 4, 5, 6};
        Gemm.sgemm(false, false, 2, 3, 0, 1f, new float[0], 0, 1, new float[0], 0, 3, 2f, c, 0, 3);
        assertTrue(Arrays.equals(new float[] {2, 4, 6, 8, 10, 12}, c));
        float[] d = {Float.NaN, 1};
        Gemm.sgemm(false, false, 1, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, d, 0, 2);
        assertTrue(Arrays.equals(new float[] {0, 0}, d));
        Gemm.sgemm(false, false, 0, 5, 5, 1f, new float[0], 0, 5, new float[25], 0, 5, 0f, new float[0], 0, 5);
    }

    @Test
    void publicEntryPointMatchesTheReference() {
        Random rnd = new Random(3);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int m = 37, n = 45, k = 29;
                float[] a = Reference.random(rnd, m * k);
                float[] b = Reference.random(rnd, k * n);
                float[] c = new float[m * n];
                int lda = ta ? m : k;
                int ldb = tb ? k : n;
                Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
                Reference.Product want = Reference.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
                assertNull(Reference.mismatch(want, c, 0, n, m, n));
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        float[] a = new float[6];
        float[] c = new float[4];
        var e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, new float[5], 0, 2, 0f, c, 0, 2));
        assertTrue(e.getMessage().contains("B"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, new float[6], 0, 2, 0f, c, 0, 2));
        assertTrue(e.getMessage().contains("leading dimension of A"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, new float[6], 0, 2, 0f, c, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, new float[6], 0, 2, 0f, c, 1, 2));
    }
}
