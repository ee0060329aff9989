package dev.tune4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of golden/trainer/collators.json (transformers 4.45.2 collators with a pad-0 tokenizer). */
class CollatorsGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyCollatorCase() throws IOException {
        JsonNode root = JSON.readTree(SharedData.require("golden/trainer/collators.json").toFile());
        int pad = root.get("tokenizer").get("pad_token_id").asInt();
        JsonNode sets = root.get("feature_sets");
        List<DynamicTest> tests = new ArrayList<>();
        assertEquals(50, root.get("cases").size());
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
                DataCollator collator = build(c.get("collator"), pad);
                List<Object> features = JSON.convertValue(sets.get(c.get("features").asText()),
                        JSON.getTypeFactory().constructCollectionType(List.class, Object.class));
                if (c.has("error")) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> collator.collate(features));
                    // transformers names the offending key ("labels in this case"); so must we
                    assertTrue(e.getMessage().contains("labels"), e.getMessage());
                    return;
                }
                Batch b = collator.collate(features);
                JsonNode expected = c.get("output");
                assertEquals(names(expected), new ArrayList<>(b.keys()), "key order");
                for (String key : names(expected)) {
                    JsonNode t = expected.get(key);
                    int[] shape = JSON.convertValue(t.get("shape"), int[].class);
                    assertArrayEquals(shape, b.shape(key), key + " shape");
                    if (shape.length == 2) {
                        int[][] want = JSON.convertValue(t.get("value"), int[][].class);
                        int[][] got = b.get(key);
                        for (int r = 0; r < want.length; r++) {
                            assertArrayEquals(want[r], got[r], key + " row " + r);
                        }
                    } else {
                        assertArrayEquals(JSON.convertValue(t.get("value"), int[].class), b.getVector(key), key);
                    }
                }
            }));
        }
        return tests.stream();
    }

    private static DataCollator build(JsonNode cfg, int pad) {
        PaddingSide side = PaddingSide.fromValue(cfg.get("tokenizer.padding_side").asText());
        Integer mult = cfg.get("pad_to_multiple_of").isNull() ? null : cfg.get("pad_to_multiple_of").asInt();
        PaddingStrategy padding = cfg.has("padding") ? PaddingStrategy.fromValue(cfg.get("padding").asText())
                : PaddingStrategy.LONGEST;
        Integer maxLength = cfg.has("max_length") ? cfg.get("max_length").asInt() : null;
        return switch (cfg.get("class").asText()) {
            case "DataCollatorForSeq2Seq" -> DataCollatorForSeq2Seq.builder(pad).paddingSide(side).padding(padding)
                    .maxLength(maxLength).padToMultipleOf(mult)
                    .labelPadTokenId(cfg.get("label_pad_token_id").asInt()).build();
            case "DataCollatorWithPadding" -> DataCollatorWithPadding.builder(pad).paddingSide(side).padding(padding)
                    .maxLength(maxLength).padToMultipleOf(mult).build();
            case "DataCollatorForLanguageModeling" -> {
                assertEquals(false, cfg.get("mlm").asBoolean());
                yield DataCollatorForLanguageModeling.builder(pad).paddingSide(side).padToMultipleOf(mult).build();
            }
            default -> throw new AssertionError("unknown collator " + cfg);
        };
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
