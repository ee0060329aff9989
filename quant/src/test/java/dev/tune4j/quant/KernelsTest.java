package dev.tune4j.quant;

import static dev.tune4j.quant.CodeTablesTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused kernels against a double-precision product of {@link Functional#dequantize4bit}'s
 * output, and the dequantization kernels against each other (bit for bit).
 */
class KernelsTest {

    static List<Kernels4bit> allKernels() {
        List<Kernels4bit> k = new ArrayList<>();
        k.add(new ScalarKernels4bit());
        // The machine's preferred width: 16 lanes with AVX-512, 8 with AVX2 (-XX:MaxVectorSize=32
        // selects the 8-lane path on an AVX-512 machine).
        if (IntVector.SPECIES_PREFERRED.length() >= 8) {
            k.add(new VectorKernels4bit());
        }
        return k;
    }

    /** Shapes with odd widths, rows spanning several blocks and blocks spanning several rows. */
    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of(new int[] {64, 128}, 64, "nf4", true),
                Arguments.of(new int[] {48, 256}, 128, "nf4", false),
                Arguments.of(new int[] {7, 33}, 32, "nf4", false),
                Arguments.of(new int[] {9, 20}, 64, "fp4", true),
                Arguments.of(new int[] {5, 333}, 64, "fp4", false),
                Arguments.of(new int[] {300, 96}, 64, "nf4", true),
                Arguments.of(new int[] {13, 1000}, 256, "nf4", true));
    }

    private static float[] randomWeights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (r.nextGaussian() * 0.05);
        }
        return w;
    }

    @ParameterizedTest
    @MethodSource("layers")
    void dequantizeRangesAreBitIdentical(int[] shape, int blocksize, String type, boolean dq) {
        int n = shape[0] * shape[1];
        QuantState s = Functional.quantize4bit(randomWeights(n, 1), shape, DType.F32, blocksize, type, dq);
        float[] full = Functional.dequantize4bit(s);
        // Independent expectation: quant_map[code] * scale, computed element by element here.
        float[] scales = s.dequantizedAbsmax();
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            int b = s.packed()[i / 2] & 0xFF;
            int code = (i % 2 == 0) ? b >> 4 : b & 0x0F;
            expected[i] = s.quantMap()[code] * scales[i / blocksize];
        }
        assertBits(expected, full);
        Random r = new Random(2);
        for (Kernels4bit k : allKernels()) {
            for (int trial = 0; trial < 20; trial++) {
                int start = r.nextInt(n);
                int len = r.nextInt(n - start + 1);
                float[] out = new float[len + 3];
                k.dequantize(s, start, len, out, 3);
                assertBits(Arrays.copyOfRange(full, start, start + len), Arrays.copyOfRange(out, 3, 3 + len));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("layers")
    void gemvEqualsDequantizeThenMultiply(int[] shape, int blocksize, String type, boolean dq) {
        int rows = shape[0];
        int cols = shape[1];
        QuantState s = Functional.quantize4bit(randomWeights(rows * cols, 3), shape, DType.F32, blocksize, type, dq);
        float[] w = Functional.dequantize4bit(s);
        float[] x = randomWeights(cols, 4);
        for (Kernels4bit k : allKernels()) {
            float[] y = new float[rows];
            k.gemv(s, cols, x, y, 0, rows);
            assertClose(w, x, 1, rows, cols, y, k.toString());
        }
        float[] y = new float[rows];
        Functional.gemv4bit(x, s, y);
        assertClose(w, x, 1, rows, cols, y, "Functional.gemv4bit");
        // A row range leaves the other rows alone.
        float[] part = new float[rows];
        Arrays.fill(part, Float.NaN);
        Functional.gemv4bit(x, s, part, 1, rows - 1);
        assertTrue(Float.isNaN(part[0]) && Float.isNaN(part[rows - 1]));
        for (int o = 1; o < rows - 1; o++) {
            assertTrue(part[o] == y[o], "row " + o);
        }
    }

    @ParameterizedTest
    @MethodSource("layers")
    void matmulEqualsDequantizeThenMultiply(int[] shape, int blocksize, String type, boolean dq) {
        int rows = shape[0];
        int cols = shape[1];
        QuantState s = Functional.quantize4bit(randomWeights(rows * cols, 5), shape, DType.F32, blocksize, type, dq);
        float[] w = Functional.dequantize4bit(s);
        for (int m : new int[] {1, 3, 6}) {
            float[] x = randomWeights(m * cols, 6 + m);
            for (Kernels4bit k : allKernels()) {
                float[] y = new float[m * rows];
                k.matmul(s, cols, x, m, y, 0, rows);
                assertClose(w, x, m, rows, cols, y, k + " m=" + m);
            }
            float[] y = new float[m * rows];
            Functional.matmul4bit(x, m, s, y);
            assertClose(w, x, m, rows, cols, y, "Functional.matmul4bit m=" + m);
        }
    }

    @Test
    void encodeAgreesAcrossKernelsOnMidpointsAndRandomValues() {
        for (String type : new String[] {"nf4", "fp4"}) {
            Codebook book = new Codebook(Functional.get4bitType(type));
            // Every midpoint, its float neighbours, the codes, +-0 and values outside [-1, 1].
            float[] table = Functional.get4bitType(type);
            java.util.List<Float> vals = new java.util.ArrayList<>();
            for (float m : book.mids()) {
                vals.add(m);
                vals.add(Math.nextUp(m));
                vals.add(Math.nextDown(m));
            }
            for (float t : table) {
                vals.add(t);
            }
            vals.add(-0.0f);
            vals.add(1.5f);
            vals.add(-3f);
            Random r = new Random(11);
            for (int i = 0; i < 500; i++) {
                vals.add((float) r.nextGaussian());
            }
            float[] x = new float[vals.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = vals.get(i);
            }
            for (boolean divide : new boolean[] {false, true}) {
                float factor = divide ? 1.25f : 0.8f;
                byte[] expected = new byte[x.length];
                for (int i = 0; i < x.length; i++) {
                    float v = divide ? x[i] / factor : x[i] * factor;
                    expected[i] = (byte) book.index(Math.min(Math.max(v, -1f), 1f));
                }
                for (Kernels4bit k : allKernels()) {
                    byte[] codes = new byte[x.length];
                    k.encode(x, 0, x.length, factor, divide, book, codes);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, codes, k + " " + type + " divide=" + divide);
                    // Unit factor: the values themselves, midpoints included.
                    byte[] unit = new byte[x.length];
                    k.encode(x, 0, x.length, 1f, divide, book, unit);
                    for (int i = 0; i < x.length; i++) {
                        int want = book.index(Math.min(Math.max(x[i], -1f), 1f));
                        if (unit[i] != want) {
                            throw new AssertionError(k + " " + type + ": code of " + x[i] + " is " + unit[i] + ", expected " + want);
                        }
                    }
                }
            }
        }
    }

    @Test
    void vectorKernelsAreSelectedWhenTheModuleIsPresent() {
        // The build adds jdk.incubator.vector to the test JVM.
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        if (!"scalar".equals(System.getProperty("tune4j.quant.kernels")) && IntVector.SPECIES_PREFERRED.length() >= 8) {
            assertTrue(Kernels4bit.get() instanceof VectorKernels4bit, Kernels4bit.get().toString());
        }
    }

    @Test
    void productsRejectMismatchedShapes() {
        QuantState s = Functional.quantize4bit(randomWeights(64 * 32, 9), new int[] {64, 32}, DType.F32, 64, "nf4", true);
        assertThrows(IllegalArgumentException.class, () -> Functional.gemv4bit(new float[31], s, new float[64]));
        assertThrows(IllegalArgumentException.class, () -> Functional.matmul4bit(new float[64], 2, s, new float[64]));
        QuantState flat = Functional.quantize4bit(randomWeights(64, 9), 64, "nf4", false);
        assertThrows(IllegalArgumentException.class, () -> Functional.gemv4bit(new float[64], flat, new float[1]));
    }

    /** y[r, o] against sum_k w[o, k] x[r, k] in double; tolerance relative to sum |w x|. */
    private static void assertClose(float[] w, float[] x, int m, int rows, int cols, float[] y, String what) {
        for (int r = 0; r < m; r++) {
            for (int o = 0; o < rows; o++) {
                double ref = 0;
                double mag = 0;
                for (int k = 0; k < cols; k++) {
                    double p = (double) w[o * cols + k] * x[r * cols + k];
                    ref += p;
                    mag += Math.abs(p);
                }
                double err = Math.abs(y[r * rows + o] - ref);
                if (!(err <= 1e-6 * mag + 1e-12)) {
                    throw new AssertionError(what + ": y[" + r + "," + o + "] = " + y[r * rows + o] + ", reference " + ref
                            + " (error " + err + ", sum |w x| " + mag + ")");
                }
            }
        }
    }
}
