package dev.tune4j.nn;

import dev.tune4j.backend.Backend;
import dev.tune4j.tensor.Tensor;

/**
 * GPT-2's Conv1D: a linear layer whose weight is stored transposed, [in, out] ({@code y = x W + b}).
 * peft calls this layout {@code fan_in_fan_out}.
 */
public final class Conv1D extends Module implements LinearLayer {
    private final Backend backend;
    private final Parameter weight;
    private final Parameter bias;

    public Conv1D(Backend backend, WeightPath path, int inFeatures, int outFeatures) {
        this.backend = backend;
        // Computed from a heap copy: Conv1D models are small, and the [in, out] layout is read by sgemm.
        this.weight = register("weight", new Parameter(path.get("weight", Init.WEIGHT, inFeatures, outFeatures).toF32(), false));
        this.bias = register("bias", new Parameter(path.get("bias", Init.ZEROS, outFeatures).toF32(), false));
    }

    @Override
    public Tensor forward(Tensor x) {
        return backend.conv1d(x, weight.value(), bias.value());
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public int inFeatures() {
        return weight.value().dim(0);
    }

    @Override
    public int outFeatures() {
        return weight.value().dim(1);
    }
}
