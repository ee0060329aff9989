package dev.tune4j.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments of a training run, named as transformers' {@code TrainingArguments} names them
 * (camelCase) and with transformers 4.45 defaults.
 *
 * <pre>{@code
 * // transformers: TrainingArguments(output_dir="out", learning_rate=1e-4, lr_scheduler_type="cosine",
 * //                                 warmup_ratio=0.03, per_device_train_batch_size=4)
 * TrainingArguments args = TrainingArguments.builder().outputDir("out").learningRate(1e-4)
 *         .lrSchedulerType("cosine").warmupRatio(0.03).perDeviceTrainBatchSize(4).build();
 * }</pre>
 *
 * <p>Immutable; {@link #toBuilder()} copies. Construction validates and resolves as
 * {@code __post_init__} does: {@code evalSteps} falls back to {@code loggingSteps} under the
 * "steps" eval strategy, {@code metricForBestModel} becomes "loss" when
 * {@code loadBestModelAtEnd} is set, and {@code greaterIsBetter} follows the metric's name.
 * A boxed component that is null means Python's {@code None}.
 *
 * <p>{@link #toJson()} writes the full key set of transformers 4.45's {@code to_dict()}, so the
 * {@code training_args.json} of a checkpoint has the shape Python tools expect; keys tune4j does
 * not model are kept from {@link #fromJson(String)} in {@link #otherArgs()} or written with
 * transformers' defaults. Differences: {@code report_to="all"} resolves to no integration (the
 * JVM has none), and a default {@code logging_dir} is {@code output_dir/runs} without the date
 * and host name transformers appends.
 *
 * @param outputDir where checkpoints go ({@code output_dir}); required
 * @param lrSchedulerKwargs extra arguments of the schedule, see {@link LrSchedules}
 * @param loggingSteps log every this many steps; below 1, a fraction of the total steps
 * @param saveSteps save every this many steps; below 1, a fraction of the total steps
 * @param evalSteps evaluate every this many steps; below 1, a fraction of the total steps
 * @param reportTo integrations to report to; empty means none
 * @param shuffleTrainData tune4j extra: false trains in dataset order (as the parity goldens do);
 *     written to JSON as {@code shuffle_train_data} only when false
 * @param otherArgs transformers keys tune4j does not model, kept verbatim from a parsed file
 */
public record TrainingArguments(
        String outputDir,
        boolean overwriteOutputDir,
        String evalStrategy,
        int perDeviceTrainBatchSize,
        int perDeviceEvalBatchSize,
        int gradientAccumulationSteps,
        double learningRate,
        double weightDecay,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double maxGradNorm,
        double numTrainEpochs,
        int maxSteps,
        SchedulerType lrSchedulerType,
        Map<String, Object> lrSchedulerKwargs,
        double warmupRatio,
        int warmupSteps,
        String loggingDir,
        String loggingStrategy,
        boolean loggingFirstStep,
        double loggingSteps,
        String saveStrategy,
        double saveSteps,
        Integer saveTotalLimit,
        int seed,
        Integer dataSeed,
        boolean dataloaderDropLast,
        Double evalSteps,
        boolean loadBestModelAtEnd,
        String metricForBestModel,
        Boolean greaterIsBetter,
        String optim,
        List<String> reportTo,
        boolean gradientCheckpointing,
        Map<String, Object> gradientCheckpointingKwargs,
        boolean shuffleTrainData,
        Map<String, Object> otherArgs) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Validates and resolves derived values as transformers' {@code __post_init__}. */
    public TrainingArguments {
        if (outputDir == null || outputDir.isBlank()) {
            throw new IllegalArgumentException("outputDir (output_dir) is required");
        }
        evalStrategy = strategy("evalStrategy", evalStrategy);
        loggingStrategy = strategy("loggingStrategy", loggingStrategy);
        saveStrategy = strategy("saveStrategy", saveStrategy);
        atLeast("perDeviceTrainBatchSize", perDeviceTrainBatchSize, 1);
        atLeast("perDeviceEvalBatchSize", perDeviceEvalBatchSize, 1);
        atLeast("gradientAccumulationSteps", gradientAccumulationSteps, 1);
        nonNegative("learningRate", learningRate);
        nonNegative("weightDecay", weightDecay);
        unitInterval("adamBeta1", adamBeta1);
        unitInterval("adamBeta2", adamBeta2);
        nonNegative("adamEpsilon", adamEpsilon);
        nonNegative("maxGradNorm", maxGradNorm);
        nonNegative("numTrainEpochs", numTrainEpochs);
        if (maxSteps < -1) {
            throw new IllegalArgumentException("maxSteps must be -1 (train by epochs) or > 0, found " + maxSteps);
        }
        Objects.requireNonNull(lrSchedulerType, "lrSchedulerType");
        lrSchedulerKwargs = lrSchedulerKwargs == null ? Map.of() : immutableCopy(lrSchedulerKwargs);
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
            throw new IllegalArgumentException("warmupRatio must lie in [0, 1], found " + warmupRatio);
        }
        atLeast("warmupSteps", warmupSteps, 0);
        if (loggingStrategy.equals("steps") && loggingSteps == 0) {
            throw new IllegalArgumentException("loggingStrategy \"steps\" needs a non-zero loggingSteps");
        }
        steps("loggingSteps", loggingSteps);
        steps("saveSteps", saveSteps);
        if (evalStrategy.equals("steps") && (evalSteps == null || evalSteps == 0)) {
            if (loggingSteps > 0) {
                evalSteps = loggingSteps;
            } else {
                throw new IllegalArgumentException("evalStrategy \"steps\" needs a non-zero evalSteps or loggingSteps");
            }
        }
        if (evalSteps != null) {
            steps("evalSteps", evalSteps);
        }
        if (saveTotalLimit != null && saveTotalLimit < 1) {
            throw new IllegalArgumentException("saveTotalLimit must be null (keep all) or >= 1, found " + saveTotalLimit);
        }
        if (loadBestModelAtEnd) {
            if (!evalStrategy.equals(saveStrategy)) {
                throw new IllegalArgumentException("loadBestModelAtEnd needs the save and eval strategies to match,"
                        + " found evalStrategy \"" + evalStrategy + "\" and saveStrategy \"" + saveStrategy + "\"");
            }
            if (evalStrategy.equals("steps") && !isMultiple(saveSteps, evalSteps)) {
                throw new IllegalArgumentException("loadBestModelAtEnd needs saveSteps to be a round multiple of"
                        + " evalSteps, found saveSteps " + saveSteps + " and evalSteps " + evalSteps);
            }
        }
        if (lrSchedulerType == SchedulerType.REDUCE_ON_PLATEAU && evalStrategy.equals("no")) {
            throw new IllegalArgumentException("lrSchedulerType reduce_lr_on_plateau needs an evalStrategy other than \"no\"");
        }
        if ((loadBestModelAtEnd || lrSchedulerType == SchedulerType.REDUCE_ON_PLATEAU) && metricForBestModel == null) {
            metricForBestModel = "loss";
        }
        if (greaterIsBetter == null && metricForBestModel != null) {
            greaterIsBetter = !metricForBestModel.endsWith("loss");
        }
        if (optim == null || !TrainingArgsLayout.OPTIMIZERS.contains(optim)) {
            throw new IllegalArgumentException("unknown optim '" + optim + "'; expected one of "
                    + TrainingArgsLayout.OPTIMIZERS);
        }
        reportTo = normaliseReportTo(reportTo);
        gradientCheckpointingKwargs = gradientCheckpointingKwargs == null ? null
                : immutableCopy(gradientCheckpointingKwargs);
        otherArgs = otherArgs == null ? Map.of() : immutableCopy(otherArgs);
    }

    /** A builder holding transformers 4.45's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The number of warmup steps for a run of {@code numTrainingSteps} optimizer steps:
     * {@code warmupSteps} if it is positive, else {@code ceil(numTrainingSteps * warmupRatio)}
     * (transformers {@code get_warmup_steps}).
     */
    public int numWarmupSteps(int numTrainingSteps) {
        return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(numTrainingSteps * warmupRatio);
    }

    /**
     * The learning-rate scheduler of a run of {@code numTrainingSteps} optimizer steps, as the
     * Trainer's {@code create_scheduler} builds it: {@code lrSchedulerType} with
     * {@code lrSchedulerKwargs}, {@link #numWarmupSteps(int)} warmup steps, and every parameter
     * group starting at {@code learningRate}.
     *
     * @throws IllegalArgumentException for reduce_lr_on_plateau (see {@link ReduceLrOnPlateau}) or
     *     kwargs the schedule does not take
     */
    public LrScheduler createScheduler(int numTrainingSteps, int numParamGroups) {
        if (numParamGroups < 1) {
            throw new IllegalArgumentException("numParamGroups must be >= 1, found " + numParamGroups);
        }
        double[] lrs = new double[numParamGroups];
        java.util.Arrays.fill(lrs, learningRate);
        return LrSchedules.getScheduler(lrSchedulerType, lrs, learningRate, numWarmupSteps(numTrainingSteps),
                numTrainingSteps, lrSchedulerKwargs);
    }

    /** Examples per optimizer micro-batch on the one device tune4j trains on ({@code train_batch_size}). */
    public int trainBatchSize() {
        return perDeviceTrainBatchSize;
    }

    /** {@code loggingSteps} in steps for a run of {@code maxSteps} steps (a fraction below 1 is rounded up). */
    public int loggingStepsFor(int maxSteps) {
        return resolveSteps(loggingSteps, maxSteps);
    }

    /** {@code saveSteps} in steps for a run of {@code maxSteps} steps. */
    public int saveStepsFor(int maxSteps) {
        return resolveSteps(saveSteps, maxSteps);
    }

    /** {@code evalSteps} in steps for a run of {@code maxSteps} steps, or 0 when unset. */
    public int evalStepsFor(int maxSteps) {
        return evalSteps == null ? 0 : resolveSteps(evalSteps, maxSteps);
    }

    private static int resolveSteps(double value, int maxSteps) {
        return value < 1 ? (int) Math.ceil(maxSteps * value) : (int) value;
    }

    /** The logging directory: {@code loggingDir}, else {@code outputDir/runs}. */
    public String resolvedLoggingDir() {
        return loggingDir != null ? loggingDir : outputDir + "/runs";
    }

    /**
     * The {@code to_dict()} of transformers 4.45, key by key in its order: modelled fields with
     * their values, the rest from {@link #otherArgs()} or transformers' defaults.
     */
    public Map<String, Object> toDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : TrainingArgsLayout.KEYS.entrySet()) {
            String key = e.getKey();
            if (e.getValue() == TrainingArgsLayout.MODELLED) {
                out.put(key, modelledValue(key));
            } else {
                out.put(key, otherArgs.containsKey(key) ? otherArgs.get(key) : e.getValue());
            }
        }
        for (Map.Entry<String, Object> e : otherArgs.entrySet()) {
            out.putIfAbsent(e.getKey(), e.getValue());
        }
        if (!shuffleTrainData) {
            out.put("shuffle_train_data", false);
        }
        return out;
    }

    private Object modelledValue(String key) {
        return switch (key) {
            case "output_dir" -> outputDir;
            case "overwrite_output_dir" -> overwriteOutputDir;
            case "do_eval" -> !evalStrategy.equals("no") || Boolean.TRUE.equals(otherArgs.get("do_eval"));
            case "eval_strategy" -> evalStrategy;
            case "per_device_train_batch_size" -> perDeviceTrainBatchSize;
            case "per_device_eval_batch_size" -> perDeviceEvalBatchSize;
            case "gradient_accumulation_steps" -> gradientAccumulationSteps;
            case "learning_rate" -> learningRate;
            case "weight_decay" -> weightDecay;
            case "adam_beta1" -> adamBeta1;
            case "adam_beta2" -> adamBeta2;
            case "adam_epsilon" -> adamEpsilon;
            case "max_grad_norm" -> maxGradNorm;
            case "num_train_epochs" -> numTrainEpochs;
            case "max_steps" -> maxSteps;
            case "lr_scheduler_type" -> lrSchedulerType.value();
            case "lr_scheduler_kwargs" -> lrSchedulerKwargs;
            case "warmup_ratio" -> warmupRatio;
            case "warmup_steps" -> warmupSteps;
            case "logging_dir" -> resolvedLoggingDir();
            case "logging_strategy" -> loggingStrategy;
            case "logging_first_step" -> loggingFirstStep;
            case "logging_steps" -> stepsValue(loggingSteps);
            case "save_strategy" -> saveStrategy;
            case "save_steps" -> stepsValue(saveSteps);
            case "save_total_limit" -> saveTotalLimit;
            case "seed" -> seed;
            case "data_seed" -> dataSeed;
            case "dataloader_drop_last" -> dataloaderDropLast;
            case "eval_steps" -> evalSteps == null ? null : stepsValue(evalSteps);
            case "run_name" -> otherArgs.get("run_name") != null ? otherArgs.get("run_name") : outputDir;
            case "load_best_model_at_end" -> loadBestModelAtEnd;
            case "metric_for_best_model" -> metricForBestModel;
            case "greater_is_better" -> greaterIsBetter;
            case "optim" -> optim;
            case "report_to" -> reportTo;
            case "dataloader_pin_memory" -> otherArgs.containsKey("dataloader_pin_memory")
                    ? otherArgs.get("dataloader_pin_memory")
                    : !Boolean.TRUE.equals(otherArgs.get("use_cpu"));
            case "gradient_checkpointing" -> gradientCheckpointing;
            case "gradient_checkpointing_kwargs" -> gradientCheckpointingKwargs;
            default -> throw new IllegalStateException("no field for " + key);
        };
    }

    /** Whole step counts are written as integers, as transformers stores them after validation. */
    private static Object stepsValue(double v) {
        return v >= 1 && v == Math.rint(v) && v <= Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
    }

    /** {@link #toDict()} as indented JSON: the content of a checkpoint's {@code training_args.json}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toDict());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise training arguments", e);
        }
    }

    /** Writes {@link #toJson()} to {@code file} atomically. */
    public void save(Path file) {
        dev.tune4j.io.AtomicFiles.writeString(file, toJson() + "\n");
    }

    /**
     * Parses the JSON of transformers' {@code TrainingArguments.to_dict()}, either as the object
     * itself or wrapped as {@code {"training_args": {...}}}. Unknown keys are kept in
     * {@link #otherArgs()}; the deprecated {@code evaluation_strategy} is honoured when
     * {@code eval_strategy} is absent.
     *
     * @throws IllegalArgumentException naming the key, the expected type and the value found
     */
    public static TrainingArguments fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("training arguments are not valid JSON: " + e.getOriginalMessage(), e);
        }
        return fromJsonNode(root, "training arguments JSON");
    }

    /** Reads {@code file} (for example a checkpoint's {@code training_args.json}) with {@link #fromJson(String)}. */
    public static TrainingArguments load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("training arguments file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return fromJsonNode(root, file.toString());
    }

    private static TrainingArguments fromJsonNode(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object of training arguments");
        }
        if (root.has("training_args") && root.get("training_args").isObject() && !root.has("output_dir")) {
            root = root.get("training_args");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> d = JSON.convertValue(root, LinkedHashMap.class);
        JsonArgs a = new JsonArgs(d, source);
        Builder b = builder();
        b.outputDir(a.str("output_dir"));
        a.bool("overwrite_output_dir", b::overwriteOutputDir);
        String eval = a.has("eval_strategy") ? a.str("eval_strategy")
                : a.has("evaluation_strategy") ? a.str("evaluation_strategy") : null;
        if (eval != null) {
            b.evalStrategy(eval);
        }
        a.integer("per_device_train_batch_size", b::perDeviceTrainBatchSize);
        a.integer("per_device_eval_batch_size", b::perDeviceEvalBatchSize);
        a.integer("gradient_accumulation_steps", b::gradientAccumulationSteps);
        a.dbl("learning_rate", b::learningRate);
        a.dbl("weight_decay", b::weightDecay);
        a.dbl("adam_beta1", b::adamBeta1);
        a.dbl("adam_beta2", b::adamBeta2);
        a.dbl("adam_epsilon", b::adamEpsilon);
        a.dbl("max_grad_norm", b::maxGradNorm);
        a.dbl("num_train_epochs", b::numTrainEpochs);
        a.integer("max_steps", b::maxSteps);
        if (a.has("lr_scheduler_type")) {
            b.lrSchedulerType(a.str("lr_scheduler_type"));
        }
        if (a.has("lr_scheduler_kwargs")) {
            b.lrSchedulerKwargs(a.map("lr_scheduler_kwargs"));
        }
        a.dbl("warmup_ratio", b::warmupRatio);
        a.integer("warmup_steps", b::warmupSteps);
        if (a.has("logging_dir")) {
            String dir = a.str("logging_dir");
            // the default written by toJson() reads back as "unset", so round trips compare equal
            b.loggingDir(dir.equals(a.str("output_dir") + "/runs") ? null : dir);
        }
        if (a.has("logging_strategy")) {
            b.loggingStrategy(a.str("logging_strategy"));
        }
        a.bool("logging_first_step", b::loggingFirstStep);
        a.dbl("logging_steps", b::loggingSteps);
        if (a.has("save_strategy")) {
            b.saveStrategy(a.str("save_strategy"));
        }
        a.dbl("save_steps", b::saveSteps);
        b.saveTotalLimit(a.optInteger("save_total_limit"));
        a.integer("seed", b::seed);
        b.dataSeed(a.optInteger("data_seed"));
        a.bool("dataloader_drop_last", b::dataloaderDropLast);
        b.evalSteps(a.has("eval_steps") ? a.number("eval_steps") : null);
        a.bool("load_best_model_at_end", b::loadBestModelAtEnd);
        b.metricForBestModel(a.has("metric_for_best_model") ? a.str("metric_for_best_model") : null);
        b.greaterIsBetter(a.has("greater_is_better") ? a.boolValue("greater_is_better") : null);
        if (a.has("optim")) {
            b.optim(a.str("optim"));
        }
        if (a.has("report_to")) {
            b.reportTo(a.stringList("report_to"));
        }
        a.bool("gradient_checkpointing", b::gradientCheckpointing);
        b.gradientCheckpointingKwargs(a.has("gradient_checkpointing_kwargs") ? a.map("gradient_checkpointing_kwargs") : null);
        a.bool("shuffle_train_data", b::shuffleTrainData);
        Map<String, Object> other = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : d.entrySet()) {
            if (!JsonArgs.MODELLED_KEYS.contains(e.getKey())) {
                other.put(e.getKey(), e.getValue());
            }
        }
        b.otherArgs(other);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static String strategy(String name, String value) {
        String v = value == null ? null : value.toLowerCase(Locale.ROOT);
        if (v == null || !TrainingArgsLayout.STRATEGIES.contains(v)) {
            throw new IllegalArgumentException(name + " must be one of " + TrainingArgsLayout.STRATEGIES
                    + ", found '" + value + "'");
        }
        return v;
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", found " + value);
        }
    }

    private static void nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, found " + value);
        }
    }

    private static void unitInterval(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must lie in [0, 1), found " + value);
        }
    }

    private static void steps(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, found " + value);
        }
        if (value > 1 && value != Math.rint(value)) {
            throw new IllegalArgumentException(name + " must be an integer when above 1 (below 1 it is a fraction"
                    + " of the total steps), found " + value);
        }
    }

    private static boolean isMultiple(double save, Double eval) {
        if (eval == null || eval == 0) {
            return false;
        }
        if ((save < 1) != (eval < 1)) {
            return false; // ratio and absolute steps cannot be guaranteed to line up
        }
        // scale as transformers does to sidestep binary fractions such as 0.1
        long s = Math.round(save * 1_000_000);
        long e = Math.round(eval * 1_000_000);
        return s % e == 0;
    }

    private static List<String> normaliseReportTo(List<String> reportTo) {
        if (reportTo == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : reportTo) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException("reportTo entries must be non-blank, found " + reportTo);
            }
            if (!s.equals("none") && !s.equals("all")) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }

    private static Map<String, Object> immutableCopy(Map<String, ?> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** Builder of {@link TrainingArguments}; every setter is named after the transformers field. */
    public static final class Builder {
        private String outputDir;
        private boolean overwriteOutputDir;
        private String evalStrategy = "no";
        private int perDeviceTrainBatchSize = 8;
        private int perDeviceEvalBatchSize = 8;
        private int gradientAccumulationSteps = 1;
        private double learningRate = 5e-5;
        private double weightDecay = 0.0;
        private double adamBeta1 = 0.9;
        private double adamBeta2 = 0.999;
        private double adamEpsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private double numTrainEpochs = 3.0;
        private int maxSteps = -1;
        private SchedulerType lrSchedulerType = SchedulerType.LINEAR;
        private Map<String, Object> lrSchedulerKwargs = Map.of();
        private double warmupRatio = 0.0;
        private int warmupSteps = 0;
        private String loggingDir;
        private String loggingStrategy = "steps";
        private boolean loggingFirstStep;
        private double loggingSteps = 500;
        private String saveStrategy = "steps";
        private double saveSteps = 500;
        private Integer saveTotalLimit;
        private int seed = 42;
        private Integer dataSeed;
        private boolean dataloaderDropLast;
        private Double evalSteps;
        private boolean loadBestModelAtEnd;
        private String metricForBestModel;
        private Boolean greaterIsBetter;
        private String optim = "adamw_torch";
        private List<String> reportTo = List.of();
        private boolean gradientCheckpointing;
        private Map<String, Object> gradientCheckpointingKwargs;
        private boolean shuffleTrainData = true;
        private Map<String, Object> otherArgs = Map.of();

        private Builder() {}

        private Builder(TrainingArguments a) {
            outputDir = a.outputDir;
            overwriteOutputDir = a.overwriteOutputDir;
            evalStrategy = a.evalStrategy;
            perDeviceTrainBatchSize = a.perDeviceTrainBatchSize;
            perDeviceEvalBatchSize = a.perDeviceEvalBatchSize;
            gradientAccumulationSteps = a.gradientAccumulationSteps;
            learningRate = a.learningRate;
            weightDecay = a.weightDecay;
            adamBeta1 = a.adamBeta1;
            adamBeta2 = a.adamBeta2;
            adamEpsilon = a.adamEpsilon;
            maxGradNorm = a.maxGradNorm;
            numTrainEpochs = a.numTrainEpochs;
            maxSteps = a.maxSteps;
            lrSchedulerType = a.lrSchedulerType;
            lrSchedulerKwargs = a.lrSchedulerKwargs;
            warmupRatio = a.warmupRatio;
            warmupSteps = a.warmupSteps;
            loggingDir = a.loggingDir;
            loggingStrategy = a.loggingStrategy;
            loggingFirstStep = a.loggingFirstStep;
            loggingSteps = a.loggingSteps;
            saveStrategy = a.saveStrategy;
            saveSteps = a.saveSteps;
            saveTotalLimit = a.saveTotalLimit;
            seed = a.seed;
            dataSeed = a.dataSeed;
            dataloaderDropLast = a.dataloaderDropLast;
            evalSteps = a.evalSteps;
            loadBestModelAtEnd = a.loadBestModelAtEnd;
            metricForBestModel = a.metricForBestModel;
            greaterIsBetter = a.greaterIsBetter;
            optim = a.optim;
            reportTo = a.reportTo;
            gradientCheckpointing = a.gradientCheckpointing;
            gradientCheckpointingKwargs = a.gradientCheckpointingKwargs;
            shuffleTrainData = a.shuffleTrainData;
            otherArgs = a.otherArgs;
        }

        /** {@code output_dir} (required). */
        public Builder outputDir(String v) { outputDir = v; return this; }
        /** {@code output_dir} (required). */
        public Builder outputDir(Path v) { outputDir = v == null ? null : v.toString(); return this; }
        /** {@code overwrite_output_dir}, default false. */
        public Builder overwriteOutputDir(boolean v) { overwriteOutputDir = v; return this; }
        /** {@code eval_strategy}: "no" (default), "steps" or "epoch". */
        public Builder evalStrategy(String v) { evalStrategy = v; return this; }
        /** {@code per_device_train_batch_size}, default 8. */
        public Builder perDeviceTrainBatchSize(int v) { perDeviceTrainBatchSize = v; return this; }
        /** {@code per_device_eval_batch_size}, default 8. */
        public Builder perDeviceEvalBatchSize(int v) { perDeviceEvalBatchSize = v; return this; }
        /** {@code gradient_accumulation_steps}, default 1. */
        public Builder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
        /** {@code learning_rate}, default 5e-5. */
        public Builder learningRate(double v) { learningRate = v; return this; }
        /** {@code weight_decay}, default 0. */
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        /** {@code adam_beta1}, default 0.9. */
        public Builder adamBeta1(double v) { adamBeta1 = v; return this; }
        /** {@code adam_beta2}, default 0.999. */
        public Builder adamBeta2(double v) { adamBeta2 = v; return this; }
        /** {@code adam_epsilon}, default 1e-8. */
        public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
        /** {@code max_grad_norm}, default 1.0 (0 disables clipping). */
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        /** {@code num_train_epochs}, default 3.0. */
        public Builder numTrainEpochs(double v) { numTrainEpochs = v; return this; }
        /** {@code max_steps}, default -1 (train {@code numTrainEpochs}); positive overrides epochs. */
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        /** {@code lr_scheduler_type} by transformers name, default "linear". */
        public Builder lrSchedulerType(String v) { lrSchedulerType = SchedulerType.fromValue(v); return this; }
        /** {@code lr_scheduler_type}. */
        public Builder lrSchedulerType(SchedulerType v) { lrSchedulerType = v; return this; }
        /** {@code lr_scheduler_kwargs}, default empty. */
        public Builder lrSchedulerKwargs(Map<String, ?> v) { lrSchedulerKwargs = v == null ? null : immutableCopy(v); return this; }
        /** {@code warmup_ratio} in [0, 1], default 0; {@code warmupSteps} wins when positive. */
        public Builder warmupRatio(double v) { warmupRatio = v; return this; }
        /** {@code warmup_steps}, default 0. */
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        /** {@code logging_dir}; null means {@code outputDir/runs}. */
        public Builder loggingDir(String v) { loggingDir = v; return this; }
        /** {@code logging_strategy}: "steps" (default), "epoch" or "no". */
        public Builder loggingStrategy(String v) { loggingStrategy = v; return this; }
        /** {@code logging_first_step}, default false. */
        public Builder loggingFirstStep(boolean v) { loggingFirstStep = v; return this; }
        /** {@code logging_steps}, default 500; below 1 a fraction of the total steps. */
        public Builder loggingSteps(double v) { loggingSteps = v; return this; }
        /** {@code save_strategy}: "steps" (default), "epoch" or "no". */
        public Builder saveStrategy(String v) { saveStrategy = v; return this; }
        /** {@code save_steps}, default 500; below 1 a fraction of the total steps. */
        public Builder saveSteps(double v) { saveSteps = v; return this; }
        /** {@code save_total_limit}; null (default) keeps every checkpoint. */
        public Builder saveTotalLimit(Integer v) { saveTotalLimit = v; return this; }
        /** {@code seed}, default 42. */
        public Builder seed(int v) { seed = v; return this; }
        /** {@code data_seed}; null (default) uses {@code seed}. */
        public Builder dataSeed(Integer v) { dataSeed = v; return this; }
        /** {@code dataloader_drop_last}, default false. */
        public Builder dataloaderDropLast(boolean v) { dataloaderDropLast = v; return this; }
        /** {@code eval_steps}; null (default) falls back to {@code loggingSteps} under the "steps" strategy. */
        public Builder evalSteps(Double v) { evalSteps = v; return this; }
        /** {@code eval_steps}. */
        public Builder evalSteps(double v) { evalSteps = v; return this; }
        /** {@code load_best_model_at_end}, default false. */
        public Builder loadBestModelAtEnd(boolean v) { loadBestModelAtEnd = v; return this; }
        /** {@code metric_for_best_model}; null (default) becomes "loss" with {@code loadBestModelAtEnd}. */
        public Builder metricForBestModel(String v) { metricForBestModel = v; return this; }
        /** {@code greater_is_better}; null (default) follows the metric's name. */
        public Builder greaterIsBetter(Boolean v) { greaterIsBetter = v; return this; }
        /** {@code optim}, default "adamw_torch". */
        public Builder optim(String v) { optim = v; return this; }
        /** {@code report_to}; "none" and "all" both mean none here. */
        public Builder reportTo(List<String> v) { reportTo = v; return this; }
        /** {@code report_to}. */
        public Builder reportTo(String... v) { reportTo = List.of(v); return this; }
        /** {@code gradient_checkpointing}, default false. */
        public Builder gradientCheckpointing(boolean v) { gradientCheckpointing = v; return this; }
        /** {@code gradient_checkpointing_kwargs}, default null. */
        public Builder gradientCheckpointingKwargs(Map<String, ?> v) {
            gradientCheckpointingKwargs = v == null ? null : immutableCopy(v);
            return this;
        }
        /** tune4j extra: shuffle the training set every epoch (default true); false keeps dataset order. */
        public Builder shuffleTrainData(boolean v) { shuffleTrainData = v; return this; }
        /** transformers keys tune4j does not model, kept for {@link TrainingArguments#toJson()}. */
        public Builder otherArgs(Map<String, ?> v) { otherArgs = v == null ? Map.of() : immutableCopy(v); return this; }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the argument, what it must be and what was found
         */
        public TrainingArguments build() {
            return new TrainingArguments(outputDir, overwriteOutputDir, evalStrategy, perDeviceTrainBatchSize,
                    perDeviceEvalBatchSize, gradientAccumulationSteps, learningRate, weightDecay, adamBeta1,
                    adamBeta2, adamEpsilon, maxGradNorm, numTrainEpochs, maxSteps, lrSchedulerType,
                    lrSchedulerKwargs, warmupRatio, warmupSteps, loggingDir, loggingStrategy, loggingFirstStep,
                    loggingSteps, saveStrategy, saveSteps, saveTotalLimit, seed, dataSeed, dataloaderDropLast,
                    evalSteps, loadBestModelAtEnd, metricForBestModel, greaterIsBetter, optim, reportTo,
                    gradientCheckpointing, gradientCheckpointingKwargs, shuffleTrainData, otherArgs);
        }
    }
}
