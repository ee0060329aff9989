package dev.tune4j.lora;

import dev.tune4j.autograd.Autograd;
import dev.tune4j.autograd.AutogradBackend;
import dev.tune4j.autograd.GradMode;
import dev.tune4j.nn.Linear;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * DoRA's gradients: for the magnitude against central finite differences, for A and B against the
 * closed form with the row norm held constant (peft detaches it, so finite differences, which
 * would move the norm too, are not the reference there).
 */
class DoraGradientTest {
    private static final int IN = 6;
    private static final int OUT = 5;
    private static final int R = 3;
    private static final int N = 4;
    private static final double S = 2.0;

    private static float[] randn(SplittableRandom r, int n, double std) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) (r.nextGaussian() * std);
        }
        return d;
    }

    @Test
    void magnitudeAAndBGradients() {
        SplittableRandom rng = new SplittableRandom(11);
        float[] w = randn(rng, OUT * IN, 0.5);
        Linear base = new Linear(AutogradBackend.CPU, Tensor.of(w, OUT, IN), Tensor.of(randn(rng, OUT, 0.1), OUT));
        LoraLinear l = new LoraLinear(base, AutogradBackend.CPU, 1);
        l.updateLayer("d", R, S * R, 0.0, InitLoraWeights.RANDOM, false, true, rng);
        l.setAdapter(List.of("d"));
        Parameter m = l.magnitudeVector("d");
        float[] mv = m.value().toFloatArray();
        for (int i = 0; i < OUT; i++) {
            mv[i] *= (float) (1 + 0.3 * rng.nextGaussian());
        }
        m.set(Tensor.of(mv, OUT));
        float[] x = randn(rng, N * IN, 1.0);
        float[] r = randn(rng, N * OUT, 1.0);
        l.train(true);
        try (var on = GradMode.enableGrad()) {
            Autograd.backward(l.forward(Tensor.of(x, N, IN)), Tensor.of(r, N, OUT));
        }
        float[] a = l.loraA("d").value().toFloatArray();
        float[] b = l.loraB("d").value().toFloatArray();

        // Closed form: y = x W^T + bias + (g - 1)(x W^T) + g * s * (x A^T) B^T, g = m / ||W + s B A||_row.
        double[] norm = new double[OUT];
        for (int o = 0; o < OUT; o++) {
            double ss = 0;
            for (int i = 0; i < IN; i++) {
                double ba = 0;
                for (int k = 0; k < R; k++) {
                    ba += b[o * R + k] * a[k * IN + i];
                }
                double v = w[o * IN + i] + S * ba;
                ss += v * v;
            }
            norm[o] = Math.sqrt(ss);
        }
        double[] xa = new double[N * R];
        for (int n = 0; n < N; n++) {
            for (int k = 0; k < R; k++) {
                for (int i = 0; i < IN; i++) {
                    xa[n * R + k] += x[n * IN + i] * a[k * IN + i];
                }
            }
        }
        double[] dLora = new double[N * OUT];        // dL / d(x A^T B^T) = r * g * s
        double[] dm = new double[OUT];
        for (int n = 0; n < N; n++) {
            for (int o = 0; o < OUT; o++) {
                double g = mv[o] / norm[o];
                dLora[n * OUT + o] = r[n * OUT + o] * g * S;
                double wx = 0;
                for (int i = 0; i < IN; i++) {
                    wx += x[n * IN + i] * w[o * IN + i];
                }
                double lora = 0;
                for (int k = 0; k < R; k++) {
                    lora += xa[n * R + k] * b[o * R + k];
                }
                dm[o] += r[n * OUT + o] * (wx + S * lora) / norm[o];
            }
        }
        float[] dB = new float[OUT * R];
        float[] dA = new float[R * IN];
        for (int o = 0; o < OUT; o++) {
            for (int k = 0; k < R; k++) {
                double s = 0;
                for (int n = 0; n < N; n++) {
                    s += dLora[n * OUT + o] * xa[n * R + k];
                }
                dB[o * R + k] = (float) s;
            }
        }
        for (int k = 0; k < R; k++) {
            for (int i = 0; i < IN; i++) {
                double s = 0;
                for (int n = 0; n < N; n++) {
                    double dh = 0;
                    for (int o = 0; o < OUT; o++) {
                        dh += dLora[n * OUT + o] * b[o * R + k];
                    }
                    s += dh * x[n * IN + i];
                }
                dA[k * IN + i] = (float) s;
            }
        }
        float[] dmf = new float[OUT];
        for (int o = 0; o < OUT; o++) {
            dmf[o] = (float) dm[o];
        }
        Goldens.assertAllClose("dL/dB", dB, l.loraB("d").grad().toFloatArray(), 1e-4);
        Goldens.assertAllClose("dL/dA", dA, l.loraA("d").grad().toFloatArray(), 1e-4);
        Goldens.assertAllClose("dL/dm", dmf, m.grad().toFloatArray(), 1e-4);

        // The magnitude against central differences (the norm does not depend on m).
        float[] numeric = new float[OUT];
        for (int o = 0; o < OUT; o++) {
            double eps = 1e-2;
            float[] plus = mv.clone();
            plus[o] += (float) eps;
            float[] minus = mv.clone();
            minus[o] -= (float) eps;
            numeric[o] = (float) ((objective(l, m, plus, x, r) - objective(l, m, minus, x, r)) / (2 * eps));
        }
        m.set(Tensor.of(mv, OUT));
        Goldens.assertAllClose("dL/dm by finite differences", numeric, dmf, 2e-3);
    }

    private static double objective(LoraLinear l, Parameter m, float[] value, float[] x, float[] r) {
        m.set(Tensor.of(value, OUT));
        try (var off = GradMode.noGrad()) {
            float[] y = l.forward(Tensor.of(x, N, IN)).toFloatArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) {
                s += (double) r[i] * y[i];
            }
            return s;
        }
    }
}
