package dev.tune4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.testing.SharedData;
import dev.tune4j.tokenizers.AutoTokenizer;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChatTokenizationTest {
    static PretrainedTokenizer qwen() {
        return AutoTokenizer.fromPretrained(SharedData.require("tokenizers/qwen2_5"));
    }

    private static String trainedText(PretrainedTokenizer tok, SupervisedExample e) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < e.length(); i++) {
            if (e.labels()[i] != -100) {
                assertEquals(e.inputIds()[i], e.labels()[i]);
                kept.add(e.inputIds()[i]);
            }
        }
        return tok.decode(kept.stream().mapToInt(Integer::intValue).toArray(), false);
    }

    @Test
    void onlyAssistantTurnsAreTrainedOn() {
        PretrainedTokenizer tok = qwen();
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "system", "content", "You are a helpful assistant."),
                Map.of("role", "user", "content", "What is 2 + 2?"),
                Map.of("role", "assistant", "content", "2 + 2 = 4."));
        SupervisedExample e = ChatTokenization.messages(tok, messages, null, true);
        // The golden rendering (chat_golden.jsonl, system_user_assistant) ends with
        // "<|im_start|>assistant\n2 + 2 = 4.<|im_end|>\n": the answer and its end marker are trained on.
        assertEquals("2 + 2 = 4.<|im_end|>\n", trainedText(tok, e));
        assertEquals(tok.decode(e.inputIds(), false), tok.applyChatTemplate(messages, false));
    }

    @Test
    void multiTurnTrainsOnEveryAnswer() {
        PretrainedTokenizer tok = qwen();
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "user", "content", "你好"),
                Map.of("role", "assistant", "content", "你好！有什么可以帮你？"),
                Map.of("role", "user", "content", "Say hi."),
                Map.of("role", "assistant", "content", "Hi."));
        SupervisedExample e = ChatTokenization.messages(tok, messages, null, true);
        assertEquals("你好！有什么可以帮你？<|im_end|>\nHi.<|im_end|>\n", trainedText(tok, e));
    }

    @Test
    void promptCompletionTrainsOnTheCompletionAndEos() {
        PretrainedTokenizer tok = qwen();
        SupervisedExample e = ChatTokenization.promptCompletion(tok, "The capital of France is", " Paris.", null, true, true);
        // Qwen2.5-Instruct's eos (tokenizer_config.json) is <|im_end|>.
        assertEquals(" Paris.<|im_end|>", trainedText(tok, e));
        SupervisedExample cut = ChatTokenization.promptCompletion(tok, "The capital of France is", " Paris.", 3, true, true);
        assertEquals(3, cut.length());
    }

    @Test
    void bestFitDecreasingPacksEveryDocumentOnceWithinTheLimit() {
        List<SupervisedExample> docs = new ArrayList<>();
        int next = 10;
        int[] lengths = {7, 3, 5, 2, 8, 1, 4, 6};
        for (int len : lengths) {
            int[] ids = new int[len];
            for (int i = 0; i < len; i++) {
                ids[i] = next++;
            }
            docs.add(new SupervisedExample(ids, ids.clone()));
        }
        Dataset packed = Packing.pack(docs, 10, "bfd");
        Set<Integer> seen = new HashSet<>();
        int total = 0;
        for (int r = 0; r < packed.size(); r++) {
            List<?> ids = (List<?>) packed.get(r).get("input_ids");
            List<?> pos = (List<?>) packed.get(r).get("position_ids");
            List<?> labels = (List<?>) packed.get(r).get("labels");
            assertTrue(ids.size() <= 10, "row longer than max_length");
            for (int t = 0; t < ids.size(); t++) {
                assertTrue(seen.add(((Number) ids.get(t)).intValue()), "token packed twice");
                if (((Number) pos.get(t)).intValue() == 0) {
                    assertEquals(-100, ((Number) labels.get(t)).intValue(), "a document's first token is not a target");
                }
            }
            total += ids.size();
        }
        assertEquals(36, total);
        // 36 tokens in bins of 10: best-fit decreasing needs 4 (8+2, 7+3, 6+4, 5+1).
        assertEquals(4, packed.size());
    }
}
