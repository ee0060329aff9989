package dev.tune4j.autograd;

import dev.tune4j.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Checks an op's hand-written backward against central finite differences: the scalar
 * L = sum(r * op(inputs)) for a fixed random r is differentiated analytically (backward with
 * gradient r) and numerically, element by element, with L accumulated in double.
 */
final class GradCheck {
    private GradCheck() {}

    static Tensor randn(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return Tensor.of(d, shape);
    }

    /**
     * @param op      the op under test, applied to leaves built from {@code inputs}
     * @param inputs  F32 heap values; every one is checked
     */
    static void check(String name, Function<Tensor[], Tensor> op, Tensor... inputs) {
        check(name, op, 1e-2f, 2e-3, 2e-2, inputs);
    }

    static void check(String name, Function<Tensor[], Tensor> op, float eps, double atol, double rtol, Tensor... inputs) {
        int n = inputs.length;
        Tensor[] grads = new Tensor[n];
        Tensor[] leaves = new Tensor[n];
        for (int i = 0; i < n; i++) {
            int k = i;
            leaves[i] = inputs[i].withGradSink(g -> grads[k] = grads[k] == null ? g : Autograd.sum(grads[k], g));
        }
        Tensor out = op.apply(leaves);
        SplittableRandom rnd = new SplittableRandom(99);
        float[] r = new float[(int) out.numel()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) rnd.nextGaussian();
        }
        Autograd.backward(out, Tensor.of(r, out.shape()));
        for (int i = 0; i < n; i++) {
            float[] x = inputs[i].data();
            if (grads[i] == null) {
                throw new AssertionError(name + ": no gradient reached input " + i);
            }
            float[] g = grads[i].data();
            int count = Math.min(x.length, 48);
            for (int c = 0; c < count; c++) {
                int j = x.length <= 48 ? c : rnd.nextInt(x.length);
                float saved = x[j];
                x[j] = saved + eps;
                double plus = objective(op, inputs, r);
                x[j] = saved - eps;
                double minus = objective(op, inputs, r);
                x[j] = saved;
                double fd = (plus - minus) / (2 * eps);
                if (Math.abs(fd - g[j]) > atol + rtol * Math.abs(fd)) {
                    throw new AssertionError(name + ": input " + i + " element " + j + ": backward " + g[j]
                            + " but finite differences " + fd);
                }
            }
        }
    }

    private static double objective(Function<Tensor[], Tensor> op, Tensor[] inputs, float[] r) {
        try (var off = GradMode.noGrad()) {
            float[] o = op.apply(inputs).toFloatArray();
            double s = 0;
            for (int i = 0; i < o.length; i++) {
                s += (double) o[i] * r[i];
            }
            return s;
        }
    }
}
