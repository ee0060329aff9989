package dev.tune4j.quant.peft;

import dev.tune4j.models.CausalLM;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.DType;

/** peft's {@code prepare_model_for_kbit_training} for models loaded in 4 bits. */
public final class KbitTraining {
    private KbitTraining() {}

    /** {@link #prepareModelForKbitTraining(CausalLM, boolean)} with gradient checkpointing on (peft's default). */
    public static CausalLM prepareModelForKbitTraining(CausalLM model) {
        return prepareModelForKbitTraining(model, true);
    }

    /**
     * Readies a quantized model for adapter training, as peft does before {@code get_peft_model}:
     * freezes every parameter, casts half-precision (F16/BF16) parameters, norms included, to
     * float32, and turns gradient checkpointing on.
     *
     * <p>peft also calls {@code enable_input_require_grads()} so that torch's reentrant checkpoint
     * sees an input that requires a gradient; tune4j's checkpoint always recomputes from such an
     * input, and 4-bit layers pass gradients to their inputs, so nothing more is needed here.
     *
     * <pre>{@code
     * # peft: model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
     * KbitTraining.prepareModelForKbitTraining(model, true);
     * }</pre>
     *
     * @return {@code model}
     */
    public static CausalLM prepareModelForKbitTraining(CausalLM model, boolean useGradientCheckpointing) {
        for (Parameter p : model.module().namedParameters().values()) {
            p.requiresGrad(false);
            DType d = p.value().dtype();
            if (d == DType.F16 || d == DType.BF16) {
                p.set(p.value().toF32());
            }
        }
        if (useGradientCheckpointing) {
            model.gradientCheckpointing(true);
        }
        return model;
    }
}
