package dev.tune4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingArgumentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode goldenArgs() throws IOException {
        Path p = SharedData.require("golden/trainer/lora_run/checkpoint-4/training_args.json");
        return JSON.readTree(p.toFile()).get("training_args");
    }

    /** transformers 4.45 dataclass defaults, as documented in its TrainingArguments reference. */
    @Test
    void defaultsAreTransformers445() {
        TrainingArguments a = TrainingArguments.builder().outputDir("out").build();
        assertFalse(a.overwriteOutputDir());
        assertEquals(3.0, a.numTrainEpochs());
        assertEquals(-1, a.maxSteps());
        assertEquals(8, a.perDeviceTrainBatchSize());
        assertEquals(8, a.perDeviceEvalBatchSize());
        assertEquals(1, a.gradientAccumulationSteps());
        assertEquals(5e-5, a.learningRate());
        assertEquals(0.0, a.weightDecay());
        assertEquals(0.9, a.adamBeta1());
        assertEquals(0.999, a.adamBeta2());
        assertEquals(1e-8, a.adamEpsilon());
        assertEquals(1.0, a.maxGradNorm());
        assertEquals(SchedulerType.LINEAR, a.lrSchedulerType());
        assertEquals(Map.of(), a.lrSchedulerKwargs());
        assertEquals(0, a.warmupSteps());
        assertEquals(0.0, a.warmupRatio());
        assertEquals(500.0, a.loggingSteps());
        assertFalse(a.loggingFirstStep());
        assertEquals("steps", a.loggingStrategy());
        assertEquals("steps", a.saveStrategy());
        assertEquals(500.0, a.saveSteps());
        assertNull(a.saveTotalLimit());
        assertEquals("no", a.evalStrategy());
        assertNull(a.evalSteps());
        assertEquals(42, a.seed());
        assertNull(a.dataSeed());
        assertFalse(a.gradientCheckpointing());
        assertEquals("adamw_torch", a.optim());
        assertFalse(a.loadBestModelAtEnd());
        assertNull(a.metricForBestModel());
        assertNull(a.greaterIsBetter());
        assertFalse(a.dataloaderDropLast());
        assertEquals(List.of(), a.reportTo());
        assertTrue(a.shuffleTrainData());
    }

    /** Every key our toJson writes at defaults equals the golden's where the golden run kept the default. */
    @Test
    void defaultJsonHasTheGoldenKeySetAndOrder() throws IOException {
        JsonNode golden = goldenArgs();
        JsonNode ours = JSON.readTree(TrainingArguments.builder().outputDir("out").build().toJson());
        assertEquals(names(golden), names(ours), "key set and order of to_dict()");
    }

    @Test
    void goldenCheckpointArgsParseAndRoundTrip() throws IOException {
        JsonNode golden = goldenArgs();
        TrainingArguments a = TrainingArguments.fromJson(golden.toString());
        // values the golden run set (README §5.1)
        assertEquals("out", a.outputDir());
        assertEquals(2, a.perDeviceTrainBatchSize());
        assertEquals(2, a.gradientAccumulationSteps());
        assertEquals(1e-3, a.learningRate());
        assertEquals(0.01, a.weightDecay());
        assertEquals(2.0, a.numTrainEpochs());
        assertEquals(2, a.warmupSteps());
        assertEquals(1.0, a.loggingSteps());
        assertEquals(4.0, a.saveSteps());
        assertEquals(2, a.saveTotalLimit());
        assertEquals(SchedulerType.LINEAR, a.lrSchedulerType());
        assertEquals(List.of(), a.reportTo());
        assertEquals("out/runs", a.resolvedLoggingDir());
        assertEquals(true, a.otherArgs().get("use_cpu"));
        assertEquals(2, a.numWarmupSteps(12));

        // every key comes back with the golden's value (numbers compared numerically: 2 vs 2.0)
        JsonNode back = JSON.readTree(a.toJson());
        assertEquals(names(golden), names(back));
        for (String key : names(golden)) {
            JsonNode g = golden.get(key);
            JsonNode b = back.get(key);
            if (g.isNumber()) {
                assertEquals(g.asDouble(), b.asDouble(), 0.0, key);
            } else {
                assertEquals(g, b, key);
            }
        }
        // and a second parse is the same arguments
        assertEquals(a, TrainingArguments.fromJson(a.toJson()));
    }

    /** The real run's per-step learning rates come out of its own arguments (README §3, §5.4). */
    @Test
    void goldenRunLearningRatesFromItsArguments() throws IOException {
        JsonNode run = JSON.readTree(SharedData.require("golden/trainer/lora_run/trainer_run.json").toFile());
        TrainingArguments args = TrainingArguments.load(
                SharedData.require("golden/trainer/lora_run/checkpoint-12/training_args.json"));
        LrScheduler s = args.createScheduler(12, 2);
        int steps = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = run.get("per_step").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int step = Integer.parseInt(e.getKey());
            assertEquals(e.getValue().get("lr_used_by_this_optimizer_step").asDouble(), s.lr(), 0.0, "step " + step);
            s.step();
            assertEquals(e.getValue().get("scheduler_get_last_lr_after_step").asDouble(), s.lr(), 0.0, "step " + step);
            steps++;
        }
        assertEquals(12, steps);
        for (JsonNode log : run.get("log_history")) {
            if (log.has("learning_rate")) {
                assertEquals(log.get("learning_rate").asDouble(), s.lrAt(log.get("step").asInt()), 0.0);
            }
        }
    }

    @Test
    void wrappedGoldenFileLoadsFromDisk() {
        Path p = SharedData.require("golden/trainer/lora_run/checkpoint-4/training_args.json");
        assertEquals(2, TrainingArguments.load(p).perDeviceTrainBatchSize());
    }

    @Test
    void saveIsReadBack(@TempDir Path dir) {
        TrainingArguments a = TrainingArguments.builder().outputDir(dir.resolve("run")).learningRate(2e-4)
                .lrSchedulerType("cosine_with_min_lr").lrSchedulerKwargs(Map.of("min_lr_rate", 0.1))
                .warmupRatio(0.03).loggingSteps(10).saveSteps(0.25).saveTotalLimit(3).dataSeed(7)
                .shuffleTrainData(false).reportTo("none").gradientCheckpointing(true)
                .gradientCheckpointingKwargs(Map.of("use_reentrant", false)).build();
        Path f = dir.resolve("training_args.json");
        a.save(f);
        TrainingArguments b = TrainingArguments.load(f);
        assertEquals(a.toDict(), b.toDict());
        assertFalse(b.shuffleTrainData());
        assertEquals(0.25, b.saveSteps());
        assertEquals(25, b.saveStepsFor(100));
        assertEquals(Map.of("min_lr_rate", 0.1), b.lrSchedulerKwargs());
    }

    @Test
    void warmupStepsWinOverRatioAndRatioRoundsUp() {
        TrainingArguments r = TrainingArguments.builder().outputDir("o").warmupRatio(0.1).build();
        assertEquals(4, r.numWarmupSteps(37));   // ceil(3.7)
        assertEquals(3, r.numWarmupSteps(30));
        assertEquals(0, TrainingArguments.builder().outputDir("o").build().numWarmupSteps(100));
        assertEquals(5, r.toBuilder().warmupSteps(5).build().numWarmupSteps(37));
    }

    @Test
    void postInitResolution() {
        TrainingArguments a = TrainingArguments.builder().outputDir("o").evalStrategy("steps").loggingSteps(25).build();
        assertEquals(25.0, a.evalSteps());
        TrainingArguments best = TrainingArguments.builder().outputDir("o").evalStrategy("steps").evalSteps(50.0)
                .saveSteps(100).loadBestModelAtEnd(true).build();
        assertEquals("loss", best.metricForBestModel());
        assertEquals(false, best.greaterIsBetter());
        TrainingArguments acc = best.toBuilder().metricForBestModel("accuracy").greaterIsBetter(null).build();
        assertEquals(true, acc.greaterIsBetter());
        assertTrue(JSON.valueToTree(a.toDict()).get("do_eval").asBoolean());
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        assertMessage(() -> TrainingArguments.builder().build(), "outputDir");
        assertMessage(() -> b().learningRate(-1).build(), "learningRate");
        assertMessage(() -> b().warmupRatio(1.5).build(), "warmupRatio");
        assertMessage(() -> b().warmupSteps(-2).build(), "warmupSteps");
        assertMessage(() -> b().perDeviceTrainBatchSize(0).build(), "perDeviceTrainBatchSize");
        assertMessage(() -> b().gradientAccumulationSteps(0).build(), "gradientAccumulationSteps");
        assertMessage(() -> b().adamBeta2(1.0).build(), "adamBeta2");
        assertMessage(() -> b().loggingSteps(0).build(), "loggingSteps");
        assertMessage(() -> b().loggingSteps(2.5).build(), "loggingSteps");
        assertMessage(() -> b().saveStrategy("sometimes").build(), "saveStrategy");
        assertMessage(() -> b().optim("adamw_typo").build(), "adamw_typo");
        assertMessage(() -> b().lrSchedulerType("cosin"), "cosin");
        assertMessage(() -> b().lrSchedulerType("reduce_lr_on_plateau").build(), "reduce_lr_on_plateau");
        assertMessage(() -> b().loadBestModelAtEnd(true).evalStrategy("epoch").build(), "strategies to match");
        assertMessage(() -> b().loadBestModelAtEnd(true).evalStrategy("steps").evalSteps(30.0).saveSteps(100).build(),
                "multiple");
        assertMessage(() -> TrainingArguments.fromJson("{\"output_dir\":\"o\",\"learning_rate\":\"fast\"}"),
                "learning_rate");
        assertMessage(() -> TrainingArguments.fromJson("[1]"), "object");
        assertMessage(() -> TrainingArguments.load(Path.of("/nonexistent/training_args.json")), "not found");
    }

    private static TrainingArguments.Builder b() {
        return TrainingArguments.builder().outputDir("o");
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should name " + part);
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    @Test
    void schedulerStateMatchesGoldenCheckpoint() throws IOException {
        JsonNode golden = JSON.readTree(SharedData.require("golden/trainer/lora_run/checkpoint-4/scheduler_state.json")
                .toFile()).get("state_dict");
        // the golden run: linear, warmup 2, 12 steps, two parameter groups at lr 1e-3, saved after step 4
        LrScheduler s = LrSchedules.getScheduler(SchedulerType.LINEAR, new double[] {1e-3, 1e-3}, 1e-3, 2, 12, Map.of());
        for (int i = 0; i < 4; i++) {
            s.step();
        }
        JsonNode ours = JSON.readTree(s.stateDictJson());
        assertEquals(names(golden), names(ours));
        assertEquals(golden, ours);

        // the same scheduler through the golden run's own arguments, as the Trainer creates it
        TrainingArguments runArgs = TrainingArguments.load(
                SharedData.require("golden/trainer/lora_run/checkpoint-4/training_args.json"));
        LrScheduler fromArgs = runArgs.createScheduler(12, 2);
        for (int i = 0; i < 4; i++) {
            fromArgs.step();
        }
        assertEquals(golden, JSON.readTree(fromArgs.stateDictJson()));

        LrScheduler resumed = LrSchedules.getScheduler(SchedulerType.LINEAR, new double[] {1e-3, 1e-3}, 1e-3, 2, 12, Map.of());
        resumed.loadStateDictJson(golden.toString());
        assertEquals(4, resumed.lastEpoch());
        assertEquals(0.0008, resumed.lr());
        resumed.step();
        s.step();
        assertEquals(s.getLastLr(), resumed.getLastLr());
        assertTrue(Files.exists(SharedData.require("golden/trainer/lora_run/checkpoint-4/scheduler_state.json")));
    }
}
