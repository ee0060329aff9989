package dev.tune4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.io.PythonJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Trainer's progress as transformers' TrainerState, written to trainer_state.json in the
 * same layout ({@code json.dumps(asdict(state), indent=2, sort_keys=True) + "\n"}).
 */
public final class TrainerState {
    private static final ObjectMapper JSON = new ObjectMapper();

    public int globalStep;
    public double epoch;
    public int maxSteps;
    public int numTrainEpochs;
    public int loggingSteps;
    public int evalSteps;
    public int saveSteps;
    public int trainBatchSize;
    public double totalFlos;
    public long numInputTokensSeen;
    /** Input tokens (padding included) processed in this run, for throughput; not saved. */
    public long tokensSeen;
    public Double bestMetric;
    public String bestModelCheckpoint;
    /** One entry per log: loss, grad_norm, learning_rate, epoch, step (and eval / summary entries). */
    public final List<Map<String, Object>> logHistory = new ArrayList<>();
    /** The TrainerControl flags at save time, as stateful_callbacks records them. */
    public final Map<String, Boolean> controlAtSave = new LinkedHashMap<>();

    /** The state as trainer_state.json's object. */
    public ObjectNode toJsonNode() {
        ObjectNode n = JSON.createObjectNode();
        if (bestMetric == null) {
            n.putNull("best_metric");
        } else {
            n.put("best_metric", bestMetric);
        }
        n.put("best_model_checkpoint", bestModelCheckpoint);
        n.put("epoch", epoch);
        n.put("eval_steps", evalSteps);
        n.put("global_step", globalStep);
        n.put("is_hyper_param_search", false);
        n.put("is_local_process_zero", true);
        n.put("is_world_process_zero", true);
        n.set("log_history", JSON.valueToTree(logHistory));
        n.put("logging_steps", loggingSteps);
        n.put("max_steps", maxSteps);
        n.put("num_input_tokens_seen", numInputTokensSeen);
        n.put("num_train_epochs", numTrainEpochs);
        n.put("save_steps", saveSteps);
        ObjectNode control = n.putObject("stateful_callbacks").putObject("TrainerControl");
        ObjectNode args = control.putObject("args");
        for (String k : List.of("should_epoch_stop", "should_evaluate", "should_log", "should_save", "should_training_stop")) {
            args.put(k, controlAtSave.getOrDefault(k, false));
        }
        control.putObject("attributes");
        n.put("total_flos", totalFlos);
        n.put("train_batch_size", trainBatchSize);
        n.putNull("trial_name");
        n.putNull("trial_params");
        return n;
    }

    public String toJson() {
        return PythonJson.dumps(toJsonNode(), 2, true) + "\n";
    }

    /** Reads trainer_state.json; files of older transformers versions lack some keys. */
    public static TrainerState load(Path file) {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trainer state " + file, e);
        }
        if (n == null || !n.isObject() || !n.has("global_step")) {
            throw new IllegalArgumentException(file + ": not a trainer_state.json (no global_step)");
        }
        TrainerState s = new TrainerState();
        s.globalStep = n.get("global_step").asInt();
        s.epoch = n.path("epoch").asDouble(0);
        s.maxSteps = n.path("max_steps").asInt(0);
        s.numTrainEpochs = n.path("num_train_epochs").asInt(0);
        s.loggingSteps = n.path("logging_steps").asInt(500);
        s.evalSteps = n.path("eval_steps").asInt(500);
        s.saveSteps = n.path("save_steps").asInt(500);
        s.trainBatchSize = n.path("train_batch_size").asInt(0);
        s.totalFlos = n.path("total_flos").asDouble(0);
        s.numInputTokensSeen = n.path("num_input_tokens_seen").asLong(0);
        s.bestMetric = n.hasNonNull("best_metric") ? n.get("best_metric").asDouble() : null;
        s.bestModelCheckpoint = n.hasNonNull("best_model_checkpoint") ? n.get("best_model_checkpoint").asText() : null;
        for (JsonNode e : n.path("log_history")) {
            Map<String, Object> entry = new LinkedHashMap<>();
            e.fields().forEachRemaining(f -> entry.put(f.getKey(), value(f.getValue())));
            s.logHistory.add(entry);
        }
        return s;
    }

    private static Object value(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.longValue() == v.intValue() ? (Object) v.intValue() : v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return v.asText();
    }

    void save(Path file) {
        try {
            dev.tune4j.models.ModelFiles.writeStringAtomically(file, toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve("trainer_state.json"));
    }
}
