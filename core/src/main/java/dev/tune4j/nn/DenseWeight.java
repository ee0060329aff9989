package dev.tune4j.nn;

import dev.tune4j.tensor.Tensor;

/**
 * A projection whose weight is stored in another form (4-bit, for instance) but can be read and
 * replaced as a dense [out, in] matrix. LoRA merging, which adds {@code scale * B A} to the base
 * weight, uses it to merge onto layers it does not know (peft dequantizes a bitsandbytes weight,
 * adds the delta and stores the sum again).
 */
public interface DenseWeight {
    /** The weight as float32 [out, in], as the layer computes with it. */
    Tensor dequantizedWeight();

    /**
     * Replaces the weight with {@code dense} [out, in]. With {@code requantize} the layer stores it
     * in its own form again (losing precision, as peft warns for 4-bit merges); without it the
     * layer keeps the dense float32 weight from now on.
     */
    void replaceWeight(Tensor dense, boolean requantize);
}
