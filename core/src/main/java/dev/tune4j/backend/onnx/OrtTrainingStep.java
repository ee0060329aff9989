package dev.tune4j.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tune4j.backend.cpu.CpuBackend;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Parameter;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.train.TrainableWeights;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forward, loss and backward of a training step as one ONNX graph run by ONNX Runtime: the
 * model's forward traced as for inference, transformers' causal-LM loss, and the backward of
 * every op on the way to a trained parameter. Trained parameters are graph inputs fed with their
 * current values on each call, so the optimizer stays on the host: {@link #forwardBackward} adds
 * the gradients to each parameter's {@code grad()}, exactly where {@code Autograd.backward(loss)}
 * puts them on the cpu backend, and {@code AdamW.step()} runs unchanged.
 *
 * <pre>{@code
 * // Python: loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss; loss.backward(); opt.step()
 * CausalLM base = AutoModelForCausalLM.fromPretrained(dir, LoadOptions.builder().backend("onnxruntime").build());
 * PeftModel peft = PeftModel.getPeftModel(base, loraConfig);
 * try (OrtTrainingStep step = OrtTrainingStep.compile(peft)) {
 *     var adamw = new AdamW(List.of(new ParamGroup(peft.trainableParameters(), 1e-4, 0.0)), 0.9, 0.999, 1e-8);
 *     float loss = step.forwardBackward(ids, mask, labels);
 *     adamw.step();
 *     adamw.zeroGrad();
 * }
 * }</pre>
 *
 * <p>The graph's outputs are {@code loss} and {@code <parameter>_grad} per trained parameter (the
 * names of onnxruntime-training's artifacts). Compile with the model in training mode
 * ({@code model.train(true)}): dropout layers then take a mask drawn on the host at each step
 * from the layer's own generator, the same draws the cpu backend makes, so a seeded run gives the
 * same masks on both backends. A parameter the loss does not reach gets no gradient, as with autograd.
 * A QLoRA model (a PEFT model over a {@code BitsAndBytesConfig} 4-bit one) trains too: the 4-bit
 * layers run forward as {@code MatMulBnb4} and pass their input gradient through the weight
 * dequantized in the graph (bitsandbytes' backward); a 4-bit weight itself cannot be trained.
 * One step runs at a time (the steps share the parameters' gradients and the dropout generators).
 *
 * <p>{@code dev.tune4j.train.Trainer} compiles one by itself for a model on this backend; call it
 * directly for a hand-written loop.
 */
public final class OrtTrainingStep implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrtTrainingStep.class);
    static final String LABELS = "labels";
    static final String LOSS = "loss";

    private final OrtEnvironment env;
    private final OrtGraph graph;
    private final List<OnnxTensor> weights;
    private final Map<String, Parameter> trained;
    /** Output name of each trained parameter's gradient, absent for those the loss does not reach. */
    private final Map<String, String> gradOutputs;
    /** The dropout ops in forward order: their masks are drawn in this order at each step. */
    private final List<TracedOp.Dropout> dropouts;
    private final int vocab;

    private OrtTrainingStep(OrtEnvironment env, OrtGraph graph, List<OnnxTensor> weights, Map<String, Parameter> trained,
                            Map<String, String> gradOutputs, List<TracedOp.Dropout> dropouts, int vocab) {
        this.env = env;
        this.graph = graph;
        this.weights = weights;
        this.trained = trained;
        this.gradOutputs = gradOutputs;
        this.dropouts = dropouts;
        this.vocab = vocab;
    }

    /**
     * Traces the training step of {@code model}: a model loaded with backend {@code "onnxruntime"}
     * (or a {@link PreTrainedCausalLM} built on an {@link OnnxRuntimeBackend}), possibly wrapped,
     * for example by a PEFT model. The trained parameters are the model's
     * {@link TrainableWeights#trainableParameters()} when it has them (gradients then take those
     * names), else every parameter with {@code requiresGrad}.
     *
     * @throws IllegalArgumentException when the model is not on the onnxruntime backend or trains nothing
     * @throws UnsupportedOperationException when an op between the loss and a trained parameter has no backward here
     */
    public static OrtTrainingStep compile(CausalLM model) {
        return compile(model, null);
    }

    /** As {@link #compile(CausalLM)}; {@code expected}, when not null, must be the model's backend. */
    static OrtTrainingStep compile(CausalLM model, OnnxRuntimeBackend expected) {
        PreTrainedCausalLM net = PreTrainedCausalLM.find(model.module()).orElseThrow(() -> new IllegalArgumentException(
                model.module().getClass().getSimpleName() + " holds no PreTrainedCausalLM to trace"));
        if (!(net.backend() instanceof OnnxRuntimeBackend backend) || (expected != null && backend != expected)) {
            throw new IllegalArgumentException("the model was built on backend " + net.backend().name()
                    + (expected != null ? ", not on this onnxruntime backend" : "")
                    + "; load it with backend \"onnxruntime\" to train it in ONNX Runtime");
        }
        Map<String, Parameter> trained = new LinkedHashMap<>();
        Map<String, Parameter> candidates = model instanceof TrainableWeights tw ? tw.trainableParameters()
                : model.module().namedParameters();
        candidates.forEach((k, p) -> {
            if (p.requiresGrad()) {
                trained.put(k, p);
            }
        });
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("the model has no trained parameter (requiresGrad is false everywhere)");
        }
        return compile(net, trained, backend);
    }

    static OrtTrainingStep compile(PreTrainedCausalLM model, Map<String, Parameter> trained, OnnxRuntimeBackend backend) {
        if (model.isGradientCheckpointing()) {
            throw new IllegalArgumentException("gradient checkpointing recomputes on the cpu backend; turn it off to"
                    + " train in ONNX Runtime");
        }
        OrtCausalLM.requireTraceableVocab(model);
        Map<Tensor, String> params = OrtCausalLM.parameterNames(model);
        Function<int[], Tensor[]> rope = OrtCausalLM.ropeTables(model);
        int[][] ids = OrtCausalLM.exampleIds();
        Trace trace = OrtCausalLM.forwardTrace(ids, params, rope);
        trace.tape = new ArrayList<>();
        List<Tensor> trainedValues = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : trained.entrySet()) {
            Tensor v = e.getValue().value();
            trace.trainableInput(v, e.getKey());
            trainedValues.add(v);
        }
        Tensor logits = OrtCausalLM.record(backend, trace, () -> model.forward(ForwardArgs.of(ids)).logits());
        if (trace.last() == null || trace.last().data() != logits.data()) {
            throw new IllegalStateException("the forward pass did not end with the logits op; not traceable");
        }
        trace.g.input(LABELS, GraphBuilder.INT64, "batch", "seq");
        Set<Tensor> frozen = Collections.newSetFromMap(new IdentityHashMap<>());
        frozen.addAll(params.keySet());
        BackwardEmitter backward = new BackwardEmitter(trace, trainedValues, frozen);
        trace.g.identity(backward.lossAndBackward(trace.last(), LABELS), LOSS);
        trace.g.output(LOSS, GraphBuilder.FLOAT);
        Map<String, String> gradOutputs = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : trained.entrySet()) {
            Tensor v = e.getValue().value();
            String grad = backward.gradient(v);
            if (grad == null) {
                LOG.warn("trained parameter {} does not reach the loss: it gets no gradient", e.getKey());
                continue;
            }
            String out = e.getKey() + "_grad";
            trace.g.identity(grad, out);
            trace.g.output(out, GraphBuilder.FLOAT, Arrays.stream(v.shape()).boxed().toArray());
            gradOutputs.put(e.getKey(), out);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OnnxTensor> tensors = new ArrayList<>();
        try {
            Map<String, OnnxTensor> byName = new HashMap<>();
            for (var w : trace.weights().entrySet()) {
                OnnxTensor o = OrtCausalLM.weightTensor(env, w.getKey(), w.getValue());
                tensors.add(o);
                byName.put(w.getKey(), o);
            }
            OrtGraph graph = OrtCausalLM.graph(env, trace, byName, backend, rope);
            LOG.debug("onnxruntime training graph ready on {}: {} trained, {} frozen weights", backend.device(),
                    trained.size(), tensors.size());
            List<TracedOp.Dropout> dropouts = new ArrayList<>();
            for (TracedOp op : trace.tape) {
                if (op instanceof TracedOp.Dropout d) {
                    dropouts.add(d);
                }
            }
            return new OrtTrainingStep(env, graph, tensors, Collections.unmodifiableMap(trained), gradOutputs,
                    dropouts, model.config().vocabSize());
        } catch (RuntimeException | OrtException e) {
            tensors.forEach(OnnxTensor::close);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("onnxruntime could not load the training graph: " + e.getMessage(), e);
        }
    }

    /**
     * One forward and backward on a batch: returns the loss (the mean over targets, NaN when every
     * label is -100, as {@code CausalLMOutput.loss()}) and adds each trained parameter's gradient to
     * its {@code grad()}. Positions are 0..seq-1 in every row, as in transformers' forward.
     *
     * @param inputIds [batch][seq] token ids
     * @param attentionMask [batch][seq], 1 for tokens and 0 for padding, or null for none
     * @param labels [batch][seq] targets, -100 where no loss is taken (shifted inside, as transformers does)
     */
    public float forwardBackward(int[][] inputIds, int[][] attentionMask, int[][] labels) {
        return forwardBackward(new ForwardArgs(inputIds, attentionMask, null, labels, false));
    }

    /**
     * {@code model(**batch).loss.backward()} for a batch as the cpu backend's {@code forward} takes
     * it: input ids, labels, and an optional attention mask and position ids (position ids that
     * restart at 0 without a mask mark packed documents, as on the cpu backend).
     */
    public float forwardBackward(ForwardArgs args) {
        return forwardBackward(args, 1f);
    }

    /**
     * {@code loss.backward(gradient)} with a one-element {@code gradOutput} (the Trainer's
     * {@code 1 / gradient_accumulation_steps}): the gradients added to {@code grad()} are scaled by
     * it, the returned loss is not, as {@code Autograd.backward(loss, gradOutput)} does.
     */
    public float forwardBackward(ForwardArgs args, float gradOutput) {
        if (args.outputHiddenStates()) {
            throw new UnsupportedOperationException("output_hidden_states is not available in a training step");
        }
        if (args.labels() == null) {
            throw new IllegalArgumentException("labels are required for a training step");
        }
        int[] shape = args.requireShapes();
        int batch = shape[0];
        int seq = shape[1];
        int[][] inputIds = args.inputIds();
        int[][] labels = args.labels();
        long[] flatLabels = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                int l = labels[b][t];
                int id = inputIds[b][t];
                if (l != -100 && (l < 0 || l >= vocab)) {
                    throw new IllegalArgumentException("labels[" + b + "][" + t + "] = " + l
                            + " is outside the vocabulary of " + vocab + " (use -100 to ignore a position)");
                }
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("input_ids[" + b + "][" + t + "] = " + id
                            + " is outside the vocabulary of " + vocab);
                }
                flatLabels[b * seq + t] = l;
            }
        }
        int[][] positions = args.positionIdsOrDefault();
        int[][] attentionMask = args.attentionMaskOrDocuments();
        Map<String, OnnxTensor> extra = new HashMap<>();
        try {
            extra.put(LABELS, OnnxTensor.createTensor(env, LongBuffer.wrap(flatLabels), new long[] {batch, seq}));
            for (Map.Entry<String, Parameter> e : trained.entrySet()) {
                Tensor v = e.getValue().value();
                extra.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(v.isHeapF32() ? v.data() : v.toFloatArray()),
                        Arrays.stream(v.shape()).asLongStream().toArray()));
            }
            for (TracedOp.Dropout d : dropouts) {
                extra.put(d.mask(), OnnxTensor.createTensor(env, FloatBuffer.wrap(CpuBackend.dropoutMask(batch * seq * d.x().dim(1), d.p(), d.random())),
                        new long[] {batch * seq, d.x().dim(1)}));
            }
        } catch (OrtException e) {
            extra.values().forEach(OnnxTensor::close);
            throw new IllegalStateException("onnxruntime could not take the batch: " + e.getMessage(), e);
        }
        try (OrtSession.Result r = graph.run(inputIds, positions, attentionMask, 0, null, extra)) {
            float loss = tensor(r, LOSS).getFloatBuffer().get(0);
            for (Map.Entry<String, String> e : gradOutputs.entrySet()) {
                Tensor v = trained.get(e.getKey()).value();
                float[] g = new float[Math.toIntExact(v.numel())];
                tensor(r, e.getValue()).getFloatBuffer().get(g);
                if (gradOutput != 1f) {
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= gradOutput;
                    }
                }
                if (v.gradSink() == null) {
                    throw new IllegalStateException("parameter " + e.getKey() + " is no longer trained (requiresGrad false)");
                }
                v.gradSink().accumulate(Tensor.of(g, v.shape()));
            }
            return loss;
        }
    }

    private static OnnxTensor tensor(OrtSession.Result r, String name) {
        return (OnnxTensor) r.get(name).orElseThrow(() -> new IllegalStateException("the training graph has no output " + name));
    }

    /** The trained parameters by the names of their gradient outputs' stems. */
    public Map<String, Parameter> trainableParameters() {
        return trained;
    }

    /** The serialized training graph's size in bytes (frozen weights not included). */
    int modelBytes() {
        return graph.modelBytes();
    }

    @Override
    public void close() {
        try {
            graph.close();
        } finally {
            weights.forEach(OnnxTensor::close);
        }
    }
}
