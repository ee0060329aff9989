package dev.tune4j.train;

import dev.tune4j.backend.onnx.OrtTrainingStep;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Trainer}'s micro-batch when the model runs on the onnxruntime backend: forward, loss
 * and backward as one graph in ONNX Runtime ({@link OrtTrainingStep}), compiled once per
 * {@code train()} call. It is the only class of the training loop that refers to ONNX Runtime, and
 * the Trainer creates it only for a model loaded with backend {@code "onnxruntime"}, so training
 * on the cpu backend loads no ONNX Runtime class (it is an optional dependency).
 */
final class OrtStepRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrtStepRunner.class);
    private final OrtTrainingStep step;

    /** Compiles the training step; the model must already be in training mode, so dropout masks become graph inputs. */
    OrtStepRunner(CausalLM model) {
        this.step = OrtTrainingStep.compile(model);
        LOG.info("Training steps run in ONNX Runtime: {} trained tensors", step.trainableParameters().size());
    }

    /**
     * {@code loss.backward(gradOutput)} for one micro-batch: adds the scaled gradients to each trained
     * parameter's {@code grad()} and returns the unscaled mean loss.
     */
    float forwardBackward(ForwardArgs args, float gradOutput) {
        return step.forwardBackward(args, gradOutput);
    }

    @Override
    public void close() {
        step.close();
    }
}
