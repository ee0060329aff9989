package dev.tune4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.autograd.GradMode;
import dev.tune4j.autograd.TrainingRandom;
import dev.tune4j.data.Batch;
import dev.tune4j.data.DataCollator;
import dev.tune4j.data.Dataset;
import dev.tune4j.io.PythonJson;
import dev.tune4j.io.safetensors.Safetensors;
import dev.tune4j.io.safetensors.SafetensorsCheckpoint;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.CausalLMOutput;
import dev.tune4j.models.ForwardArgs;
import dev.tune4j.models.ModelFiles;
import dev.tune4j.models.PreTrainedCausalLM;
import dev.tune4j.nn.Embedding;
import dev.tune4j.nn.LayerNorm;
import dev.tune4j.nn.Module;
import dev.tune4j.nn.Parameter;
import dev.tune4j.nn.RmsNorm;
import dev.tune4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * transformers' Trainer (4.45 semantics) on the JVM: gradient accumulation, clipping, AdamW or SGD
 * with an LR schedule, logging, evaluation, checkpoints with rotation, and resuming.
 *
 * <pre>{@code
 * var trainer = new Trainer(model, args, trainSet, evalSet, new DataCollatorForSeq2Seq(padId));
 * TrainOutput out = trainer.train();          // trainer.train()
 * trainer.state().logHistory;                 // trainer.state.log_history
 * }</pre>
 *
 * <p>Loop semantics follow transformers 4.45: each micro-batch's mean loss is divided by
 * gradient_accumulation_steps and back-propagated; an optimizer step follows every
 * gradient_accumulation_steps micro-batches (the micro-batch counter runs across epochs); the
 * logged loss is the float32 running sum since the last log divided by the steps, rounded to 4
 * decimals; the logged learning rate is the scheduler's after its step; grad_norm is the norm
 * before clipping. Weight decay skips biases and norm weights.
 *
 * <p>A model loaded with {@code LoadOptions.builder().backend("onnxruntime")} (or a PEFT model over
 * one) trains in ONNX Runtime with no other change: each micro-batch's forward, loss and backward
 * run as one graph ({@link dev.tune4j.backend.onnx.OrtTrainingStep}, compiled at the first
 * micro-batch), the optimizer, clipping and schedule stay on the host, and the logged numbers are
 * those of the cpu backend. Gradient checkpointing is refused there. Evaluation and prediction
 * after the weights changed run the model's forward eagerly on the CPU.
 */
public class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d+)");
    private static final String DATA_STATE = "data_state.json";

    private final CausalLM model;
    private final TrainingArguments args;
    private final Dataset trainDataset;
    private final Dataset evalDataset;
    private final DataCollator collator;
    private final List<TrainerCallback> callbacks = new ArrayList<>();
    private TrainerState state = new TrainerState();
    private final TrainerControl control = new TrainerControl();
    private Optimizer optimizer;
    private LrScheduler scheduler;
    // Where the data loop stands, saved with checkpoints so a resume continues at the exact
    // micro-batch (transformers recomputes it from global_step, which is off when an epoch's
    // micro-batches are not a multiple of gradient_accumulation_steps).
    private int loopEpoch;
    private int loopNextBatch;
    private long loopTotalBatched;
    /** Whether the model runs on the onnxruntime backend: its micro-batches then run in ONNX Runtime. */
    private boolean onOnnxRuntime;
    /** The ONNX Runtime training step, compiled at the first micro-batch of a train() call; null otherwise. */
    private OrtStepRunner ortStep;

    public Trainer(CausalLM model, TrainingArguments args, Dataset trainDataset, Dataset evalDataset, DataCollator collator) {
        this.model = model;
        this.args = args;
        this.trainDataset = trainDataset;
        this.evalDataset = evalDataset;
        this.collator = collator;
        if (System.console() != null) {
            callbacks.add(new ProgressBar());
        }
    }

    public void addCallback(TrainerCallback callback) {
        callbacks.add(callback);
    }

    /** trainer.state: global step, epoch and log history. */
    public TrainerState state() {
        return state;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** Trained parameters keyed by their checkpoint names. */
    private Map<String, Parameter> trainableParameters() {
        if (model instanceof TrainableWeights tw) {
            return tw.trainableParameters();
        }
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.module().namedParameters().forEach((k, p) -> {
            if (p.requiresGrad()) {
                out.put(k, p);
            }
        });
        return out;
    }

    /** Names of parameters that get weight decay: not biases, not owned by norm layers. */
    private static boolean decays(Module root, String name) {
        if (name.contains("bias")) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        String owner = dot < 0 ? "" : name.substring(0, dot);
        Optional<Module> m = root.findModule(owner);
        return m.map(mod -> !(mod instanceof LayerNorm || mod instanceof RmsNorm)).orElse(true);
    }

    private Optimizer createOptimizer(Map<String, Parameter> params) {
        Map<String, Parameter> decay = new LinkedHashMap<>();
        Map<String, Parameter> noDecay = new LinkedHashMap<>();
        Map<Parameter, String> modulePath = new HashMap<>();
        model.module().namedParameters().forEach((k, p) -> modulePath.put(p, k));
        params.forEach((k, p) -> {
            String path = modulePath.getOrDefault(p, k);
            (decays(model.module(), path) ? decay : noDecay).put(k, p);
        });
        List<ParamGroup> groups = List.of(new ParamGroup(decay, args.learningRate(), args.weightDecay()),
                new ParamGroup(noDecay, args.learningRate(), 0.0));
        String optim = args.optim() == null ? "adamw_torch" : args.optim();
        return switch (optim) {
            case "adamw_torch", "adamw_hf", "adamw_torch_fused" -> new AdamW(groups, args.adamBeta1(), args.adamBeta2(), args.adamEpsilon());
            case "sgd" -> new Sgd(groups, 0.0, 0.0, false);
            default -> provided(optim, groups);
        };
    }

    /** An optimizer from a registered {@link OptimizerProvider} (e.g. the quant module's adamw_8bit). */
    private Optimizer provided(String optim, List<ParamGroup> groups) {
        for (OptimizerProvider p : java.util.ServiceLoader.load(OptimizerProvider.class)) {
            var o = p.create(optim, groups, args);
            if (o.isPresent()) {
                return o.get();
            }
        }
        throw new IllegalArgumentException("optim '" + optim + "' is not available in tune4j core;"
                + " available: adamw_torch, adamw_hf, sgd (adamw_8bit comes with the quant module)");
    }

    /** Starts training from scratch. */
    public TrainOutput train() {
        return train((Path) null);
    }

    /** Resumes from the latest checkpoint-N in output_dir when {@code resume} is true. */
    public TrainOutput train(boolean resume) {
        if (!resume) {
            return train((Path) null);
        }
        return train(latestCheckpoint(Path.of(args.outputDir())).orElseThrow(() ->
                new IllegalArgumentException("no valid checkpoint found in output directory " + args.outputDir())));
    }

    /** Resumes from {@code checkpoint} (a checkpoint-N folder), or starts fresh when null. */
    public TrainOutput train(Path checkpoint) {
        if (trainDataset == null || trainDataset.size() == 0) {
            throw new IllegalArgumentException("the training dataset is empty");
        }
        Map<String, Parameter> params = trainableParameters();
        if (params.isEmpty()) {
            throw new IllegalStateException("the model has no trainable parameters: nothing requires a gradient");
        }
        onOnnxRuntime = runsOnOnnxRuntime(model);
        if (onOnnxRuntime && args.gradientCheckpointing()) {
            // transformers raises for a model that cannot checkpoint; ignoring the flag would leave the
            // user counting on memory savings that never happen.
            throw new IllegalArgumentException("gradient_checkpointing is not available on the onnxruntime backend:"
                    + " the training step runs as one ONNX Runtime graph that keeps its activations. Set"
                    + " gradientCheckpointing(false), or load the model with backend \"cpu\" to recompute layers in backward");
        }
        if (args.gradientCheckpointing()) {
            model.gradientCheckpointing(true);
        }
        int bs = args.perDeviceTrainBatchSize();
        int gas = args.gradientAccumulationSteps();
        int n = trainDataset.size();
        int lenDataloader = args.dataloaderDropLast() ? n / bs : (n + bs - 1) / bs;
        if (lenDataloader == 0) {
            throw new IllegalArgumentException("the training dataset has " + n + " rows, fewer than one batch of " + bs
                    + " with dataloader_drop_last");
        }
        int updatesPerEpoch = Math.max(lenDataloader / gas, 1);
        int maxSteps;
        int numEpochs;
        if (args.maxSteps() > 0) {
            maxSteps = args.maxSteps();
            numEpochs = maxSteps / updatesPerEpoch + (maxSteps % updatesPerEpoch > 0 ? 1 : 0);
        } else {
            maxSteps = (int) Math.ceil(args.numTrainEpochs() * updatesPerEpoch);
            numEpochs = (int) Math.ceil(args.numTrainEpochs());
        }
        optimizer = createOptimizer(params);
        scheduler = args.createScheduler(maxSteps, optimizer.paramGroups().size());
        state = new TrainerState();
        state.maxSteps = maxSteps;
        state.numTrainEpochs = numEpochs;
        state.loggingSteps = args.loggingStepsFor(maxSteps);
        state.saveSteps = args.saveStepsFor(maxSteps);
        state.evalSteps = args.evalStepsFor(maxSteps);
        state.trainBatchSize = bs;
        if (checkpoint != null) {
            resumeFrom(checkpoint, params);
        }
        long flosPerToken = 6L * nonEmbeddingParameterCount();
        int epochsTrained = state.globalStep / updatesPerEpoch;
        int skipInEpoch = (state.globalStep % updatesPerEpoch) * gas;
        long totalBatched = 0;
        if (checkpoint != null && Files.isRegularFile(checkpoint.resolve(DATA_STATE))) {
            try {
                var pos = JSON.readTree(checkpoint.resolve(DATA_STATE).toFile());
                epochsTrained = pos.get("epoch_index").asInt();
                skipInEpoch = pos.get("next_batch").asInt();
                totalBatched = pos.get("total_batched").asLong();
            } catch (IOException | NullPointerException e) {
                throw new IllegalArgumentException(checkpoint.resolve(DATA_STATE) + ": unreadable data position", e);
            }
            if (skipInEpoch >= lenDataloader) {
                epochsTrained++;
                skipInEpoch = 0;
            }
        }
        model.module().train(true);
        long started = System.nanoTime();
        callbacks.forEach(c -> c.onTrainBegin(args, state, control));
        float trLoss = 0f;
        double totalLossScalar = 0;
        int lastLoggedStep = state.globalStep;
        Double gradNorm = null;
        applyLr();
        try {
            for (int epoch = epochsTrained; epoch < numEpochs; epoch++) {
                List<Integer> order = epochOrder(epoch);
                int skipped = epoch == epochsTrained ? skipInEpoch : 0;
                control.shouldEpochStop = false;
                for (int step = 0; step + skipped < lenDataloader; step++) {
                    int batchIndex = step + skipped;
                    List<Map<String, Object>> rows = new ArrayList<>();
                    for (int i = batchIndex * bs; i < Math.min(n, (batchIndex + 1) * bs); i++) {
                        rows.add(trainDataset.get(order.get(i)));
                    }
                    Batch batch = collator.collate(rows);
                    totalBatched++;
                    TrainingRandom.seed(args.seed() * 1_000_003L + state.globalStep);
                    float loss = trainingStep(batch);
                    trLoss += loss / gas;
                    state.totalFlos += (double) flosPerToken * batch.inputIds().length * batch.inputIds()[0].length;
                    state.tokensSeen += (long) batch.inputIds().length * batch.inputIds()[0].length;
                    boolean lastSmallEpoch = lenDataloader <= gas && batchIndex + 1 == lenDataloader;
                    if (totalBatched % gas == 0 || lastSmallEpoch) {
                        gradNorm = args.maxGradNorm() > 0 ? GradientClipping.clipGradNorm(params.values(), args.maxGradNorm()) : null;
                        optimizer.step();
                        scheduler.step();
                        applyLr();
                        optimizer.zeroGrad();
                        state.globalStep++;
                        state.epoch = epoch + (double) (batchIndex + 1) / lenDataloader;
                        control.newStep();
                        loopEpoch = epoch;
                        loopNextBatch = batchIndex + 1;
                        loopTotalBatched = totalBatched;
                        stepEndFlags(maxSteps);
                        callbacks.forEach(c -> c.onStepEnd(args, state, control));
                        if (control.shouldLog && state.globalStep > lastLoggedStep) {
                            double tr = trLoss;
                            trLoss = 0f;
                            Map<String, Object> logs = new LinkedHashMap<>();
                            logs.put("loss", round4(tr / (state.globalStep - lastLoggedStep)));
                            if (gradNorm != null) {
                                logs.put("grad_norm", gradNorm);
                            }
                            logs.put("learning_rate", scheduler.getLastLr().get(0));
                            totalLossScalar += tr;
                            lastLoggedStep = state.globalStep;
                            log(logs);
                        }
                        if (control.shouldEvaluate && evalDataset != null) {
                            evaluate();
                        }
                        if (control.shouldSave) {
                            saveCheckpoint();
                        }
                    }
                    if (control.shouldEpochStop || control.shouldTrainingStop) {
                        break;
                    }
                }
                callbacks.forEach(c -> c.onEpochEnd(args, state, control));
                if ("epoch".equals(args.evalStrategy()) && evalDataset != null) {
                    evaluate();
                }
                if ("epoch".equals(args.saveStrategy())) {
                    saveCheckpoint();
                }
                if (control.shouldTrainingStop) {
                    break;
                }
            }
        } finally {
            model.module().train(false);
            optimizer.zeroGrad();
            if (ortStep != null) {
                ortStep.close();
                ortStep = null;
            }
        }
        totalLossScalar += trLoss;
        double trainLoss = totalLossScalar / Math.max(state.globalStep, 0.001);
        Map<String, Object> summary = new LinkedHashMap<>();
        // transformers' speed_metrics: runtime rounded to 4 decimals, rates to 3.
        double runtime = round(Math.max((System.nanoTime() - started) / 1e9, 1e-9), 4);
        double samples = args.maxSteps() > 0 ? (double) args.maxSteps() * bs * gas : (double) n * args.numTrainEpochs();
        summary.put("train_runtime", runtime);
        summary.put("train_samples_per_second", round(samples / runtime, 3));
        summary.put("train_steps_per_second", round(maxSteps / runtime, 3));
        summary.put("total_flos", state.totalFlos);
        summary.put("train_loss", trainLoss);
        log(summary);
        callbacks.forEach(c -> c.onTrainEnd(args, state, control));
        return new TrainOutput(state.globalStep, trainLoss, summary);
    }

    /** transformers' DefaultFlowCallback.on_step_end. */
    private void stepEndFlags(int maxSteps) {
        int step = state.globalStep;
        if ((step == 1 && args.loggingFirstStep())
                || ("steps".equals(args.loggingStrategy()) && state.loggingSteps > 0 && step % state.loggingSteps == 0)) {
            control.shouldLog = true;
        }
        if ("steps".equals(args.evalStrategy()) && state.evalSteps > 0 && step % state.evalSteps == 0) {
            control.shouldEvaluate = true;
        }
        if ("steps".equals(args.saveStrategy()) && state.saveSteps > 0 && step % state.saveSteps == 0) {
            control.shouldSave = true;
        }
        if (step >= maxSteps) {
            control.shouldTrainingStop = true;
            if (!"no".equals(args.saveStrategy())) {
                control.shouldSave = true;
            }
        }
    }

    private void applyLr() {
        List<Double> lrs = scheduler.getLastLr();
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).lr(lrs.get(Math.min(i, lrs.size() - 1)));
        }
    }

    /** Dataset order of an epoch: as given, or shuffled by (data_seed or seed) + epoch. */
    private List<Integer> epochOrder(int epoch) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < trainDataset.size(); i++) {
            order.add(i);
        }
        if (args.shuffleTrainData()) {
            long seed = (args.dataSeed() != null ? args.dataSeed() : args.seed()) + epoch;
            java.util.Collections.shuffle(order, new java.util.Random(seed));
        }
        return order;
    }

    /** One micro-batch: forward, loss / gas, backward. Returns the micro-batch's mean loss. */
    private float trainingStep(Batch batch) {
        int[][] ids = batch.inputIds();
        int[][] labels = batch.labels().orElseThrow(() -> new IllegalArgumentException(
                "the collated batch has no 'labels': use a collator that makes them (DataCollatorForSeq2Seq, "
                        + "DataCollatorForLanguageModeling) or give the rows a labels column"));
        if (onOnnxRuntime) {
            if (ortStep == null) {
                // Compiled here, with the model in training mode: its dropout layers become mask inputs.
                ortStep = new OrtStepRunner(model);
            }
            float loss = ortStep.forwardBackward(new ForwardArgs(ids, batch.attentionMask().orElse(null),
                    batch.positionIds().orElse(null), labels, false), 1f / args.gradientAccumulationSteps());
            if (Float.isNaN(loss)) {
                throw new IllegalStateException("the batch has no target token (every label is -100)");
            }
            return loss;
        }
        CausalLMOutput out;
        try (var on = GradMode.enableGrad()) {
            out = model.forward(new ForwardArgs(ids, batch.attentionMask().orElse(null),
                    batch.positionIds().orElse(null), labels, false));
            if (out.lossTensor() == null || Float.isNaN(out.loss())) {
                throw new IllegalStateException("the batch has no target token (every label is -100)");
            }
            dev.tune4j.autograd.Autograd.backward(out.lossTensor(),
                    Tensor.of(new float[] {1f / args.gradientAccumulationSteps()}, 1));
        }
        return out.loss();
    }

    /**
     * Whether the network inside {@code model} (itself, or the model a wrapper such as a PEFT model
     * holds) was built on the onnxruntime backend. Reads the backend's name only, so no ONNX
     * Runtime class loads for a cpu model.
     */
    static boolean runsOnOnnxRuntime(CausalLM model) {
        return PreTrainedCausalLM.find(model.module()).map(p -> "onnxruntime".equals(p.backend().name())).orElse(false);
    }

    private long nonEmbeddingParameterCount() {
        long total = 0;
        var embeddingParams = new java.util.HashSet<Parameter>();
        model.module().namedModules().values().forEach(m -> {
            if (m instanceof Embedding e) {
                embeddingParams.add(e.weight());
            }
        });
        for (Parameter p : model.module().namedParameters().values()) {
            if (!embeddingParams.contains(p)) {
                total += p.numel();
            }
        }
        return total;
    }

    /** Python's round(x, 4): half-even on the exact binary value. */
    static double round4(double x) {
        return round(x, 4);
    }

    private static double round(double x, int digits) {
        return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
    }

    private void log(Map<String, Object> logs) {
        logs.put("epoch", state.epoch);
        logs.put("step", state.globalStep);
        state.logHistory.add(logs);
        callbacks.forEach(c -> c.onLog(args, state, control, logs));
        LOG.info("{}", logs);
    }

    // ---- evaluation ----------------------------------------------------------------------------

    /** Eval loss (mean over examples of their batch's mean loss, as transformers) and perplexity. */
    public Map<String, Double> evaluate() {
        if (evalDataset == null || evalDataset.size() == 0) {
            throw new IllegalArgumentException("evaluate() needs a non-empty evaluation dataset");
        }
        double weighted = 0;
        int count = 0;
        boolean wasTraining = model.module().isTraining();
        model.module().train(false);
        try (var off = GradMode.noGrad()) {
            int bs = args.perDeviceEvalBatchSize();
            for (int start = 0; start < evalDataset.size(); start += bs) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (int i = start; i < Math.min(evalDataset.size(), start + bs); i++) {
                    rows.add(evalDataset.get(i));
                }
                Batch b = collator.collate(rows);
                var out = model.forward(new ForwardArgs(b.inputIds(), b.attentionMask().orElse(null),
                        b.positionIds().orElse(null), b.labels().orElseThrow(() ->
                        new IllegalArgumentException("evaluation batches need labels")), false));
                if (!Float.isNaN(out.loss())) {
                    weighted += (double) out.loss() * rows.size();
                    count += rows.size();
                }
            }
        } finally {
            model.module().train(wasTraining);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        double loss = count == 0 ? Double.NaN : weighted / count;
        metrics.put("eval_loss", loss);
        metrics.put("eval_perplexity", Math.exp(loss));
        Map<String, Object> logs = new LinkedHashMap<>(metrics);
        log(logs);
        String key = args.metricForBestModel() == null ? "eval_loss"
                : args.metricForBestModel().startsWith("eval_") ? args.metricForBestModel() : "eval_" + args.metricForBestModel();
        Double v = metrics.get(key);
        if (v != null) {
            boolean greater = args.greaterIsBetter() != null ? args.greaterIsBetter() : !key.endsWith("loss");
            if (state.bestMetric == null || (greater ? v > state.bestMetric : v < state.bestMetric)) {
                state.bestMetric = v;
                state.bestModelCheckpoint = Path.of(args.outputDir(), "checkpoint-" + state.globalStep).toString();
            }
        }
        callbacks.forEach(c -> c.onEvaluate(args, state, control, metrics));
        return metrics;
    }

    /** Logits per batch of {@code dataset} with the evaluation metrics (transformers' predict). */
    public PredictionOutput predict(Dataset dataset) {
        List<Tensor> logits = new ArrayList<>();
        double weighted = 0;
        int count = 0;
        try (var off = GradMode.noGrad()) {
            int bs = args.perDeviceEvalBatchSize();
            for (int start = 0; start < dataset.size(); start += bs) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (int i = start; i < Math.min(dataset.size(), start + bs); i++) {
                    rows.add(dataset.get(i));
                }
                Batch b = collator.collate(rows);
                var out = model.forward(new ForwardArgs(b.inputIds(), b.attentionMask().orElse(null),
                        b.positionIds().orElse(null), b.labels().orElse(null), false));
                logits.add(out.logits());
                if (out.loss() != null && !Float.isNaN(out.loss())) {
                    weighted += (double) out.loss() * rows.size();
                    count += rows.size();
                }
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (count > 0) {
            metrics.put("test_loss", weighted / count);
            metrics.put("test_perplexity", Math.exp(weighted / count));
        }
        return new PredictionOutput(logits, metrics);
    }

    // ---- checkpoints ---------------------------------------------------------------------------

    /**
     * Writes checkpoint-N into a temporary folder and renames it into place, so an interrupted save
     * never leaves a folder resume would take for whole; then applies save_total_limit.
     */
    private void saveCheckpoint() {
        Path out = Path.of(args.outputDir());
        Path dir = out.resolve("checkpoint-" + state.globalStep);
        try {
            Files.createDirectories(out);
            Path tmp = Files.createTempDirectory(out, ".checkpoint-" + state.globalStep + "-");
            try {
                model.savePretrained(tmp);
                Map<String, Tensor> opt = optimizer.stateTensors();
                Safetensors.save(tmp.resolve("optimizer_state.safetensors"), opt, Map.of("format", "pt"));
                ObjectNode optJson = JSON.createObjectNode();
                var groups = optJson.putArray("param_groups");
                for (ParamGroup g : optimizer.paramGroups()) {
                    ObjectNode gj = groups.addObject();
                    gj.put("lr", g.lr());
                    gj.put("initial_lr", g.initialLr());
                    gj.put("weight_decay", g.weightDecay());
                    var names = gj.putArray("param_names");
                    g.names().forEach(names::add);
                }
                ObjectNode steps = optJson.putObject("state_step");
                optimizer.stepCounts().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .forEach(e -> steps.put(e.getKey(), (double) e.getValue()));
                ModelFiles.writeStringAtomically(tmp.resolve("optimizer_state.json"), PythonJson.dumps(optJson, 1, false) + "\n");
                ObjectNode sched = JSON.createObjectNode();
                sched.set("state_dict", JSON.valueToTree(scheduler.stateDict()));
                ModelFiles.writeStringAtomically(tmp.resolve("scheduler_state.json"), PythonJson.dumps(sched, 1, false) + "\n");
                args.save(tmp.resolve("training_args.json"));
                ObjectNode pos = JSON.createObjectNode();
                pos.put("epoch_index", loopEpoch);
                pos.put("next_batch", loopNextBatch);
                pos.put("total_batched", loopTotalBatched);
                ModelFiles.writeStringAtomically(tmp.resolve(DATA_STATE), PythonJson.dumps(pos, 2, true) + "\n");
                state.controlAtSave.put("should_epoch_stop", control.shouldEpochStop);
                state.controlAtSave.put("should_evaluate", control.shouldEvaluate);
                state.controlAtSave.put("should_log", control.shouldLog);
                state.controlAtSave.put("should_save", true);
                state.controlAtSave.put("should_training_stop", control.shouldTrainingStop);
                state.save(tmp.resolve("trainer_state.json"));
                if (Files.exists(dir)) {
                    deleteRecursively(dir);
                }
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                deleteRecursively(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save checkpoint " + dir, e);
        }
        callbacks.forEach(c -> c.onSave(args, state, control));
        rotateCheckpoints(out);
    }

    private void rotateCheckpoints(Path out) {
        Integer limit = args.saveTotalLimit();
        if (limit == null || limit <= 0) {
            return;
        }
        List<Path> all = checkpoints(out);
        String best = state.bestModelCheckpoint;
        int excess = all.size() - limit;
        for (Path p : all) {
            if (excess <= 0) {
                break;
            }
            if (best != null && p.equals(Path.of(best)) && args.loadBestModelAtEnd()) {
                continue;
            }
            try {
                deleteRecursively(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete old checkpoint " + p, e);
            }
            excess--;
        }
    }

    /** Complete checkpoint-N folders of {@code outputDir}, oldest first. */
    static List<Path> checkpoints(Path outputDir) {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(outputDir)) {
            return s.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches() && TrainerState.exists(p))
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(11))))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + outputDir, e);
        }
    }

    /** The newest complete checkpoint in {@code outputDir} (transformers' get_last_checkpoint). */
    public static Optional<Path> latestCheckpoint(Path outputDir) {
        List<Path> all = checkpoints(outputDir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    private void resumeFrom(Path dir, Map<String, Parameter> params) {
        Matcher m = CHECKPOINT.matcher(dir.getFileName().toString());
        if (!Files.isDirectory(dir) || !TrainerState.exists(dir)) {
            throw new IllegalArgumentException("cannot resume from " + dir + ": not a checkpoint folder (no trainer_state.json)");
        }
        if (model instanceof TrainableWeights tw) {
            tw.loadTrainableWeights(dir);
        } else {
            try (var ckpt = SafetensorsCheckpoint.open(dir)) {
                for (var e : params.entrySet()) {
                    if (!ckpt.contains(e.getKey())) {
                        throw new IllegalArgumentException("checkpoint " + dir + " has no weight '" + e.getKey()
                                + "': it was written for another model");
                    }
                    Tensor t = ckpt.tensor(e.getKey());
                    if (!java.util.Arrays.equals(t.shape(), e.getValue().value().shape())) {
                        throw new IllegalArgumentException("checkpoint " + dir + ": weight '" + e.getKey() + "' has shape "
                                + java.util.Arrays.toString(t.shape()) + ", the model has "
                                + java.util.Arrays.toString(e.getValue().value().shape()));
                    }
                    e.getValue().set(Tensor.of(t.toFloatArray(), t.shape()));
                }
            }
        }
        Map<String, Tensor> opt = Safetensors.load(dir.resolve("optimizer_state.safetensors"));
        Map<String, Long> steps = new HashMap<>();
        try {
            var optJson = JSON.readTree(dir.resolve("optimizer_state.json").toFile());
            optJson.path("state_step").fields().forEachRemaining(e -> steps.put(e.getKey(), (long) e.getValue().asDouble()));
            var sched = JSON.readTree(dir.resolve("scheduler_state.json").toFile()).path("state_dict");
            scheduler.loadStateDictJson(sched.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read optimizer or scheduler state in " + dir, e);
        }
        optimizer.loadState(opt, steps);
        TrainerState loaded = TrainerState.load(dir.resolve("trainer_state.json"));
        state.globalStep = loaded.globalStep;
        state.epoch = loaded.epoch;
        state.totalFlos = loaded.totalFlos;
        state.bestMetric = loaded.bestMetric;
        state.bestModelCheckpoint = loaded.bestModelCheckpoint;
        state.logHistory.addAll(loaded.logHistory);
        LOG.info("Resumed from {} at global step {}", dir, state.globalStep);
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
