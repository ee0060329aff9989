package dev.tune4j.models;

import dev.tune4j.tensor.Tensor;

/**
 * What a causal LM forward returns (transformers' CausalLMOutputWithPast).
 *
 * @param logits [batch, seq, vocab]
 * @param loss mean cross-entropy of the shifted labels, or null when no labels were given
 * @param hiddenStates [layers + 1, batch, seq, hidden] when requested, else null: the embedding
 *     output, the residual stream after each layer, and last the final norm's output
 * @param lossTensor the loss as a one-element tensor on the tape (for {@code backward}), or null
 */
public record CausalLMOutput(Tensor logits, Float loss, Tensor hiddenStates, Tensor lossTensor) {
    public CausalLMOutput(Tensor logits, Float loss, Tensor hiddenStates) {
        this(logits, loss, hiddenStates, null);
    }

    /** {@code loss.backward()}: backpropagates the loss to every trained parameter. */
    public void backward() {
        if (lossTensor == null) {
            throw new IllegalStateException("no loss to backpropagate: pass labels to forward");
        }
        dev.tune4j.autograd.Autograd.backward(lossTensor);
    }
}
