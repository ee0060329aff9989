package dev.tune4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Collator behaviour outside the golden grid, against hand-written expected batches. */
class CollatorsTest {

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void acceptsListsAndLongArrays() {
        Batch b = new DataCollatorForSeq2Seq(0).collate(List.of(
                row("input_ids", List.of(5, 6, 7), "labels", new long[] {-100, 6, 7}),
                row("input_ids", new long[] {8}, "labels", List.of(8))));
        assertArrayEquals(new int[][] {{5, 6, 7}, {8, 0, 0}}, b.inputIds());
        assertArrayEquals(new int[][] {{1, 1, 1}, {1, 0, 0}}, b.attentionMask().orElseThrow());
        assertArrayEquals(new int[][] {{-100, 6, 7}, {8, -100, -100}}, b.labels().orElseThrow());
    }

    @Test
    void tokenTypeIdsAndSpecialTokensMaskArePadded() {
        Batch b = DataCollatorWithPadding.builder(9).paddingSide(PaddingSide.LEFT).padTokenTypeId(3).build()
                .collate(List.of(row("input_ids", new int[] {4, 5}, "token_type_ids", new int[] {0, 1},
                                "special_tokens_mask", new int[] {0, 0}),
                        row("input_ids", new int[] {6}, "token_type_ids", new int[] {1},
                                "special_tokens_mask", new int[] {0})));
        assertArrayEquals(new int[][] {{4, 5}, {9, 6}}, b.inputIds());
        assertArrayEquals(new int[][] {{0, 1}, {3, 1}}, b.get("token_type_ids"));
        assertArrayEquals(new int[][] {{0, 0}, {1, 0}}, b.get("special_tokens_mask"));
        assertEquals(List.of("input_ids", "token_type_ids", "special_tokens_mask", "attention_mask"),
                List.copyOf(b.keys()));
    }

    @Test
    void languageModelingMasksEveryPadIdIncludingEosWhenTheyAreEqual() {
        int eosAsPad = 2;
        Batch b = new DataCollatorForLanguageModeling(eosAsPad).collate(List.of(new int[] {7, 8, 2}, new int[] {9, 2}));
        assertArrayEquals(new int[][] {{7, 8, 2}, {9, 2, 2}}, b.inputIds());
        assertArrayEquals(new int[][] {{7, 8, -100}, {9, -100, -100}}, b.labels().orElseThrow());
        assertFalse(b.attentionMask().isPresent());
        Batch m = new DataCollatorForLanguageModeling(0).collate(List.of(
                row("input_ids", new int[] {3, 4}, "special_tokens_mask", new int[] {1, 0})));
        assertFalse(m.has("special_tokens_mask"));
    }

    @Test
    void doNotPadStacksEqualRowsAndRejectsRaggedOnes() {
        DataCollator c = DataCollatorForSeq2Seq.builder(0).padding(PaddingStrategy.DO_NOT_PAD).build();
        Batch b = c.collate(List.of(row("input_ids", new int[] {1, 2}, "labels", new int[] {1, 2}),
                row("input_ids", new int[] {3, 4}, "labels", new int[] {3, 4})));
        assertArrayEquals(new int[][] {{1, 2}, {3, 4}}, b.labels().orElseThrow());
        assertError(() -> c.collate(List.of(row("input_ids", new int[] {1, 2}), row("input_ids", new int[] {3}))),
                "input_ids");
    }

    @Test
    void errorsNameRowAndKey() {
        DataCollator s2s = new DataCollatorForSeq2Seq(0);
        assertError(() -> s2s.collate(List.of()), "empty");
        assertError(() -> s2s.collate(List.of(row("labels", new int[] {1}))), "input_ids");
        assertError(() -> s2s.collate(List.of(row("input_ids", new int[] {1}, "labels", new int[] {1}),
                row("input_ids", new int[] {1}))), "row 1");
        assertError(() -> s2s.collate(List.of(row("input_ids", new int[] {1}, "label", 3))), "label");
        assertError(() -> s2s.collate(List.of(row("input_ids", new int[] {1, 2}, "attention_mask", new int[] {1}))),
                "attention_mask");
        assertError(() -> s2s.collate(List.of(row("input_ids", "hello"))), "input_ids");
        assertError(() -> s2s.collate(List.of(List.of(1, 2))), "Map");
        DataCollator max4 = DataCollatorForSeq2Seq.builder(0).padding(PaddingStrategy.MAX_LENGTH).maxLength(4).build();
        assertError(() -> max4.collate(List.of(row("input_ids", new int[] {1, 2, 3, 4, 5}))), "maxLength");
        assertError(() -> max4.collate(List.of(row("input_ids", new int[] {1}, "labels", new int[] {1, 2, 3, 4, 5}))),
                "labels");
        assertError(() -> DataCollatorForSeq2Seq.builder(0).padding(PaddingStrategy.MAX_LENGTH).build(), "maxLength");
        assertError(() -> DataCollatorWithPadding.builder(0).padToMultipleOf(0).build(), "padToMultipleOf");
        assertError(() -> new DataCollatorWithPadding(0).collate(List.of(row("input_ids", new int[] {1}, "text", "hi"),
                row("input_ids", new int[] {2}, "text", "yo"))), "text");
    }

    private static void assertError(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should name " + part);
    }
}
