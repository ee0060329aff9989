package dev.tune4j.models;

import dev.tune4j.tensor.Tensor;

/**
 * What a causal LM forward returns (transformers' CausalLMOutputWithPast).
 *
 * @param logits [batch, seq, vocab]
 * @param loss mean cross-entropy of the shifted labels, or null when no labels were given
 * @param hiddenStates [layers + 1, batch, seq, hidden] when requested, else null: the embedding
 *     output, the residual stream after each layer, and last the final norm's output
 */
public record CausalLMOutput(Tensor logits, Float loss, Tensor hiddenStates) {}
