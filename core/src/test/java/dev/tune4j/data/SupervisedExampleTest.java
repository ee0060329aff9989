package dev.tune4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tune4j.data.formats.AlpacaFormat;
import dev.tune4j.data.formats.PromptCompletion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SupervisedExampleTest {

    @Test
    void promptIsMaskedCompletionIsTrained() {
        SupervisedExample e = SupervisedExample.of(new int[] {10, 11, 12}, new int[] {20, 21});
        assertArrayEquals(new int[] {10, 11, 12, 20, 21}, e.inputIds());
        assertArrayEquals(new int[] {-100, -100, -100, 20, 21}, e.labels());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1}, e.attentionMask());
        assertEquals(2, e.numTrainableTokens());
    }

    @Test
    void eosIsAppendedOnceAndTrained() {
        SupervisedExample.Builder b = SupervisedExample.builder().eosTokenId(2);
        assertArrayEquals(new int[] {-100, 20, 2}, b.build(new int[] {10}, new int[] {20}).labels());
        assertArrayEquals(new int[] {10, 20, 2}, b.build(new int[] {10}, new int[] {20, 2}).inputIds());
        assertArrayEquals(new int[] {-100, 2}, b.build(new int[] {10}, new int[] {}).labels());
    }

    @Test
    void truncationKeepsStartOrEnd() {
        SupervisedExample.Builder b = SupervisedExample.builder().maxLength(4).eosTokenId(2);
        SupervisedExample start = b.build(new int[] {10, 11, 12}, new int[] {20, 21});
        assertArrayEquals(new int[] {10, 11, 12, 20}, start.inputIds());
        assertArrayEquals(new int[] {-100, -100, -100, 20}, start.labels());
        SupervisedExample end = b.truncationMode(TruncationMode.KEEP_END).build(new int[] {10, 11, 12}, new int[] {20, 21});
        assertArrayEquals(new int[] {12, 20, 21, 2}, end.inputIds());
        assertArrayEquals(new int[] {-100, 20, 21, 2}, end.labels());
        SupervisedExample all = SupervisedExample.builder().trainOnPrompt(true).build(new int[] {10}, new int[] {20});
        assertArrayEquals(new int[] {10, 20}, all.labels());
    }

    /** Alpaca rows → prompt/completion → ids (one id per character, a stand-in tokenizer) → padded batch. */
    @Test
    void alpacaToSupervisedBatch() {
        List<Map<String, Object>> rows = List.of(
                Map.of("instruction", "ab", "output", "c"),
                Map.of("instruction", "d", "input", "e", "output", "fg"));
        SupervisedExample.Builder b = SupervisedExample.builder().eosTokenId(2);
        List<Object> features = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            PromptCompletion pc = AlpacaFormat.DEFAULT.toPromptCompletion(rows.get(i), i);
            features.add(b.build(pc.prompt().chars().toArray(), pc.completion().chars().toArray()).toFeatures());
        }
        Batch batch = new DataCollatorForSeq2Seq(0).collate(features);
        // "ab" + "c" + eos ; "d\ne" + "fg" + eos
        assertArrayEquals(new int[][] {{'a', 'b', 'c', 2, 0, 0}, {'d', '\n', 'e', 'f', 'g', 2}}, batch.inputIds());
        assertArrayEquals(new int[][] {{-100, -100, 'c', 2, -100, -100}, {-100, -100, -100, 'f', 'g', 2}},
                batch.labels().orElseThrow());
        assertArrayEquals(new int[][] {{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}}, batch.attentionMask().orElseThrow());
    }
}
