package dev.tune4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The golden Trainer run's micro-batches (README §5.2): its 24 examples, taken in dataset order two
 * at a time and collated by DataCollatorForSeq2Seq (pad 0, right), give the recorded padded shapes
 * and target-token counts (labels other than -100 after the causal shift).
 */
class GoldenRunBatchesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void microBatchesMatchTheRecordedRun() throws IOException {
        JsonNode run = JSON.readTree(SharedData.require("golden/trainer/lora_run/trainer_run.json").toFile());
        List<Map<String, Object>> examples = JSON.convertValue(run.get("dataset").get("examples"),
                JSON.getTypeFactory().constructCollectionType(List.class, Map.class));
        Dataset ds = Dataset.fromList(examples);
        DataCollator collator = new DataCollatorForSeq2Seq(0);
        int checked = 0;
        for (JsonNode mb : run.get("micro_batches")) {
            int[] indices = JSON.convertValue(mb.get("dataset_indices"), int[].class);
            Batch b = collator.collate(ds.select(indices).stream().toList());
            assertArrayEquals(JSON.convertValue(mb.get("input_ids_shape"), int[].class), b.shape("input_ids"));
            int targets = 0;
            for (int[] row : b.labels().orElseThrow()) {
                for (int t = 1; t < row.length; t++) {
                    if (row[t] != -100) {
                        targets++;
                    }
                }
            }
            assertEquals(mb.get("num_target_tokens").asInt(), targets, "micro-batch " + checked);
            checked++;
        }
        assertEquals(24, checked);
    }
}
