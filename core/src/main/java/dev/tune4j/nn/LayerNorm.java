package dev.tune4j.nn;

import dev.tune4j.backend.Backend;
import dev.tune4j.tensor.Tensor;

/** torch.nn.LayerNorm with weight and bias. */
public final class LayerNorm extends Module {
    private final Backend backend;
    private final Parameter weight;
    private final Parameter bias;
    private final float eps;

    public LayerNorm(Backend backend, WeightPath path, int dim, double eps) {
        this.backend = backend;
        this.weight = register("weight", new Parameter(path.get("weight", Init.ONES, dim).toF32(), false));
        this.bias = register("bias", new Parameter(path.get("bias", Init.ZEROS, dim).toF32(), false));
        this.eps = (float) eps;
    }

    public Tensor forward(Tensor x) {
        return backend.layerNorm(x, weight.value(), bias.value(), eps);
    }
}
