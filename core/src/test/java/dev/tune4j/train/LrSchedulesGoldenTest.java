package dev.tune4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every value of golden/trainer/lr_schedules.json (transformers 4.45.2 get_scheduler + torch LambdaLR). */
class LrSchedulesGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyScheduleValueMatches() throws IOException {
        JsonNode root = JSON.readTree(SharedData.require("golden/trainer/lr_schedules.json").toFile());
        double baseLr = root.get("base_lr").asDouble();
        List<DynamicTest> tests = new ArrayList<>();
        int[] total = {0};
        for (JsonNode e : root.get("schedules")) {
            tests.add(DynamicTest.dynamicTest(e.get("id").asText(), () -> {
                int n = e.get("num_training_steps").asInt();
                int w = e.get("num_warmup_steps").asInt();
                @SuppressWarnings("unchecked")
                Map<String, Object> kwargs = JSON.convertValue(e.get("scheduler_specific_kwargs"), Map.class);
                if (e.get("warmup_given_as").asText().startsWith("warmup_ratio")) {
                    // the golden derived W through TrainingArguments.get_warmup_steps
                    double ratio = Double.parseDouble(e.get("warmup_given_as").asText().split("=")[1]);
                    TrainingArguments args = TrainingArguments.builder().outputDir("out").warmupRatio(ratio).build();
                    assertEquals(w, args.numWarmupSteps(n), "warmup steps from ratio");
                }
                LrScheduler s = LrSchedules.getScheduler(e.get("type").asText(), baseLr, w, n, kwargs);
                JsonNode after = e.get("lr_after_k_scheduler_steps");
                assertEquals(n + 4, after.size());
                for (int k = 0; k < after.size(); k++) {
                    if (k > 0) {
                        s.step();
                    }
                    assertEquals(k, s.lastEpoch());
                    assertEquals(after.get(k).asDouble(), s.getLastLr().get(0), 0.0, "k=" + k);
                    assertEquals(after.get(k).asDouble(), s.lrAt(k), 0.0, "lrAt k=" + k);
                    total[0]++;
                }
                JsonNode used = e.get("lr_used_by_step");
                JsonNode logged = e.get("lr_logged_by_trainer_at_step");
                for (int step = 1; step <= used.size(); step++) {
                    assertEquals(used.get(step - 1).asDouble(), s.lrAt(step - 1), 0.0, "used by step " + step);
                    assertEquals(logged.get(step - 1).asDouble(), s.lrAt(step), 0.0, "logged at step " + step);
                }
            }));
        }
        return tests.stream();
    }
}
