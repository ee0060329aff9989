package dev.tune4j.nn;

import dev.tune4j.tensor.Tensor;
import java.util.Set;

/** Where a model's parameters come from: a checkpoint, or a seeded initialiser. */
public interface WeightSource {
    /**
     * The tensor stored under {@code key}, or null when absent. {@code expectedShape} and
     * {@code init} let initialisers create it; checkpoints ignore them (the caller checks shapes).
     */
    Tensor load(String key, int[] expectedShape, Init init);

    /** Keys the source holds (empty for initialisers). */
    Set<String> keys();

    /** A short description for error messages, e.g. the checkpoint path. */
    String describe();
}
