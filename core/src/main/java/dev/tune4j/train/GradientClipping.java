package dev.tune4j.train;

import dev.tune4j.nn.Parameter;
import java.util.Collection;

/** torch.nn.utils.clip_grad_norm_ with the L2 norm. */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Scales every gradient by {@code min(1, maxNorm / (total + 1e-6))} and returns the total L2
     * norm before clipping (a float32 value, as torch returns it). Parameters without a gradient
     * are skipped.
     */
    public static double clipGradNorm(Collection<Parameter> params, double maxNorm) {
        double sumOfSquares = 0;
        for (Parameter p : params) {
            if (p.grad() == null) {
                continue;
            }
            double ss = 0;
            for (float g : p.grad().data()) {
                ss += (double) g * g;
            }
            float norm = (float) Math.sqrt(ss);        // torch: per-tensor norms in float32, then their norm
            sumOfSquares += (double) norm * norm;
        }
        float total = (float) Math.sqrt(sumOfSquares);
        float coef = (float) maxNorm / (total + 1e-6f);
        if (coef < 1f) {
            for (Parameter p : params) {
                if (p.grad() == null) {
                    continue;
                }
                float[] g = p.grad().data();
                for (int i = 0; i < g.length; i++) {
                    g[i] *= coef;
                }
            }
        }
        return total;
    }
}
