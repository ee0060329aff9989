package dev.tune4j.nn;

import dev.tune4j.backend.Backend;
import dev.tune4j.tensor.Tensor;

/** torch.nn.Linear: weight [out, in], optional bias [out]. */
public final class Linear extends Module implements LinearLayer {
    private final Backend backend;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(Backend backend, WeightPath path, int inFeatures, int outFeatures, boolean withBias) {
        this.backend = backend;
        this.weight = register("weight", new Parameter(path.get("weight", Init.WEIGHT, outFeatures, inFeatures), false));
        this.bias = withBias
                ? register("bias", new Parameter(path.get("bias", Init.ZEROS, outFeatures), false))
                : null;
    }

    /** A Linear over given tensors (used when layers are rebuilt, e.g. after a merge). */
    public Linear(Backend backend, Tensor weight, Tensor bias) {
        this.backend = backend;
        this.weight = register("weight", new Parameter(weight, false));
        this.bias = bias == null ? null : register("bias", new Parameter(bias, false));
    }

    /** A Linear sharing another module's parameter as its weight (tied embeddings). */
    public Linear(Backend backend, Parameter tiedWeight) {
        this.backend = backend;
        this.weight = register("weight", tiedWeight);
        this.bias = null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return backend.linear(x, weight.value(), bias == null ? null : bias.value());
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias parameter, or null. */
    public Parameter bias() {
        return bias;
    }

    public Backend backend() {
        return backend;
    }

    @Override
    public int inFeatures() {
        return weight.value().dim(1);
    }

    @Override
    public int outFeatures() {
        return weight.value().dim(0);
    }
}
