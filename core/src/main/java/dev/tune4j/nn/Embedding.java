package dev.tune4j.nn;

import dev.tune4j.backend.Backend;
import dev.tune4j.tensor.Tensor;

/** torch.nn.Embedding: a [num, dim] table looked up by id. */
public final class Embedding extends Module {
    private final Backend backend;
    private final Parameter weight;

    public Embedding(Backend backend, WeightPath path, int num, int dim) {
        this.backend = backend;
        this.weight = register("weight", new Parameter(path.get("weight", Init.EMBEDDING, num, dim), false));
    }

    /** Rows for {@code ids}: [ids.length, dim]. */
    public Tensor forward(int[] ids) {
        return backend.embedding(weight.value(), ids);
    }

    public Parameter weight() {
        return weight;
    }
}
