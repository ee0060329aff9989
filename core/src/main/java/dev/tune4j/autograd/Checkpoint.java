package dev.tune4j.autograd;

import dev.tune4j.tensor.Tensor;

/**
 * Gradient checkpointing: runs a block without recording, keeping only its input, and in backward
 * runs it again with recording to get the gradients (transformers' gradient_checkpointing_enable,
 * one block per decoder layer). Peak memory holds one layer's activations instead of all layers'.
 *
 * <p>Unlike torch's reentrant checkpoint, the recomputation always starts from an input that
 * requires a gradient, so a block whose input comes from frozen embeddings still passes gradients
 * to the block's trained parameters.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** A block that can be run twice; {@code recomputing} is true on the second run. */
    @FunctionalInterface
    public interface Block {
        Tensor apply(Tensor input, boolean recomputing);
    }

    /**
     * Runs {@code block} on {@code input}. With grad mode on and {@code trainable} (the block or its
     * input has trained parameters), the output is recorded as one node whose backward recomputes.
     */
    public static Tensor apply(Block block, Tensor input, boolean trainable) {
        if (!GradMode.isEnabled() || !(trainable || input.requiresGrad())) {
            return block.apply(input, false);
        }
        var rng = TrainingRandom.snapshot();
        Tensor out;
        try (var off = GradMode.noGrad()) {
            out = block.apply(input.detach(), false);
        }
        var after = TrainingRandom.snapshot();
        return out.withGradFn(new Node(input) {
            @Override
            public Tensor[] backward(Tensor g) {
                Tensor[] dx = new Tensor[1];
                Tensor leaf = input.detach().withGradSink(grad -> dx[0] = dx[0] == null ? grad : Autograd.sum(dx[0], grad));
                TrainingRandom.restore(rng);
                try (var on = GradMode.enableGrad()) {
                    Tensor y = block.apply(leaf, true);
                    if (y.requiresGrad()) {
                        Autograd.backward(y, g);
                    }
                } finally {
                    TrainingRandom.restore(after);
                }
                return new Tensor[] {needs(0) ? dx[0] : null};
            }
        });
    }
}
