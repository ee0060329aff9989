package dev.tune4j.nn;

import dev.tune4j.backend.Backend;
import dev.tune4j.tensor.Tensor;

/** LlamaRMSNorm: {@code w * x / sqrt(mean(x^2) + eps)}, in float32. */
public final class RmsNorm extends Module {
    private final Backend backend;
    private final Parameter weight;
    private final float eps;

    public RmsNorm(Backend backend, WeightPath path, int dim, double eps) {
        this.backend = backend;
        this.weight = register("weight", new Parameter(path.get("weight", Init.ONES, dim).toF32(), false));
        this.eps = (float) eps;
    }

    public Tensor forward(Tensor x) {
        return backend.rmsNorm(x, weight.value(), eps);
    }

    public Parameter weight() {
        return weight;
    }
}
