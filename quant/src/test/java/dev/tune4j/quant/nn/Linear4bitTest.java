package dev.tune4j.quant.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.autograd.AutogradBackend;
import dev.tune4j.autograd.Autograd;
import dev.tune4j.quant.Functional;
import dev.tune4j.quant.QuantState;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Linear4bit against float64 products with its dequantized weight (what bitsandbytes computes). */
class Linear4bitTest {
    private static final int IN = 96;
    private static final int OUT = 200;   // spans several row tiles, the last partial

    private static float[] randn(SplittableRandom r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    private static Linear4bit layer(long seed, boolean bias) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor w = Tensor.of(randn(r, OUT * IN, 0.05), OUT, IN);
        Tensor b = bias ? Tensor.of(randn(r, OUT, 0.1), OUT) : null;
        return Linear4bit.quantize(AutogradBackend.CPU, w, b, 64, "nf4", true);
    }

    /** x W^T + b in float64 from the dequantized weight. */
    private static double[] reference(float[] x, int m, float[] w, float[] b) {
        double[] y = new double[m * OUT];
        for (int r = 0; r < m; r++) {
            for (int o = 0; o < OUT; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < IN; i++) {
                    s += (double) x[r * IN + i] * w[o * IN + i];
                }
                y[r * OUT + o] = s;
            }
        }
        return y;
    }

    @Test
    void forwardEqualsTheProductWithTheDequantizedWeight() {
        Linear4bit l = layer(1, true);
        float[] w = Functional.dequantize4bit(l.quantState());
        float[] b = l.bias().value().toFloatArray();
        SplittableRandom r = new SplittableRandom(2);
        for (int m : new int[] {1, 2, 7, 20}) {
            float[] x = randn(r, m * IN, 1.0);
            float[] got = l.forward(Tensor.of(x, m, IN)).toFloatArray();
            double[] want = reference(x, m, w, b);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, "m=" + m + " element " + i);
            }
        }
    }

    @Test
    void backwardGivesDyTimesTheDequantizedWeightAndTheBiasGradient() {
        Linear4bit l = layer(3, true);
        l.bias().requiresGrad(true);
        float[] w = Functional.dequantize4bit(l.quantState());
        SplittableRandom r = new SplittableRandom(4);
        int m = 5;
        float[] x = randn(r, m * IN, 1.0);
        float[] g = randn(r, m * OUT, 1.0);
        Tensor[] dx = new Tensor[1];
        Tensor leaf = Tensor.of(x, m, IN).withGradSink(t -> dx[0] = t);
        Tensor y = l.forward(leaf);
        assertTrue(y.requiresGrad());
        Autograd.backward(y, Tensor.of(g, m, OUT));
        float[] got = dx[0].toFloatArray();
        for (int row = 0; row < m; row++) {
            for (int i = 0; i < IN; i++) {
                double s = 0;
                for (int o = 0; o < OUT; o++) {
                    s += (double) g[row * OUT + o] * w[o * IN + i];
                }
                assertEquals(s, got[row * IN + i], 1e-5, "dX[" + row + ", " + i + "]");
            }
        }
        float[] db = l.bias().grad().toFloatArray();
        for (int o = 0; o < OUT; o++) {
            double s = 0;
            for (int row = 0; row < m; row++) {
                s += g[row * OUT + o];
            }
            assertEquals(s, db[o], 1e-5);
        }
    }

    @Test
    void parametersCarryBitsandbytesNamesAndShareTheState() {
        Linear4bit l = layer(5, true);
        QuantState s = l.quantState();
        assertEquals(Set.of("weight", "weight.absmax", "weight.quant_map", "weight.nested_absmax",
                "weight.nested_quant_map", "weight.quant_state.bitsandbytes__nf4", "bias"), l.namedParameters().keySet());
        Tensor packed = l.namedParameters().get("weight").value();
        assertEquals(DType.U8, packed.dtype());
        assertArrayEquals(new int[] {OUT * IN / 2, 1}, packed.shape());
        // 4 bits per weight, 1 byte per 64-block, 4 bytes per 256 blocks, 16 + 256 code floats, the JSON, the bias.
        long json = s.quantStateJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        int blocks = OUT * IN / 64;
        assertEquals(OUT * IN / 2 + blocks + 4L * ((blocks + 255) / 256) + 4 * 16 + 4 * 256 + json + 4L * OUT,
                l.residentBytes());
    }

    @Test
    void replacingTheWeightRequantizesOrKeepsItDense() {
        Linear4bit l = layer(6, false);
        SplittableRandom r = new SplittableRandom(7);
        float[] dense = randn(r, OUT * IN, 0.05);
        l.replaceWeight(Tensor.of(dense.clone(), OUT, IN), true);
        assertEquals(Functional.quantize4bit(dense, new int[] {OUT, IN}, DType.F32, 64, "nf4", true), l.quantState());
        l.replaceWeight(Tensor.of(dense.clone(), OUT, IN), false);
        assertNull(l.quantState());
        assertEquals(Set.of("weight"), l.namedParameters().keySet());
        assertArrayEquals(dense, l.dequantizedWeight().toFloatArray());
        float[] x = randn(r, 3 * IN, 1.0);
        double[] want = reference(x, 3, dense, null);
        float[] got = l.forward(Tensor.of(x, 3, IN)).toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5);
        }
        assertThrows(IllegalArgumentException.class, () -> l.replaceWeight(Tensor.zeros(IN, OUT), false));
        assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, IN + 1)));
    }

    @Test
    void aBenchSizedLayerHoldsWithinTwoPercentOf4point127BitsPerWeight() {
        // The bench model's up_proj: 2048 x 768. Per-tensor constants (code tables, JSON) are the excess.
        int out = 2048;
        int in = 768;
        Tensor w = Tensor.of(randn(new SplittableRandom(9), out * in, 0.02), out, in);
        Linear4bit l = Linear4bit.quantize(AutogradBackend.CPU, w, null, 64, "nf4", true);
        double arithmetic = (double) out * in * (4 + 8.0 / 64 + 32.0 / (64 * 256)) / 8;
        double ratio = l.residentBytes() / arithmetic;
        assertTrue(ratio >= 1 && ratio < 1.02, "held " + l.residentBytes() + " bytes, 4.127-bit arithmetic " + arithmetic);
    }
}
