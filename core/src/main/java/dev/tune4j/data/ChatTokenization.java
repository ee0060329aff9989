package dev.tune4j.data;

import dev.tune4j.tokenizers.Encoding;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns records into model inputs through a tokenizer: conversations through its chat template,
 * with labels only on the assistant turns (-100 elsewhere), and prompt / completion pairs with
 * labels only on the completion, as the instruction-tuning recipes do.
 *
 * <p>Assistant spans are found by rendering the conversation up to each assistant turn with
 * {@code add_generation_prompt=True} and up to its end without it: the characters between the two
 * renderings are the turn's, and the tokens starting inside them are trained on. This needs the
 * template to render earlier turns the same way whatever follows them, which holds for the
 * common templates; when it does not, an error says so instead of training on a wrong span.
 */
public final class ChatTokenization {
    private ChatTokenization() {}

    /** A conversation as input ids and labels (assistant turns only when {@code assistantOnly}). */
    public static SupervisedExample messages(PretrainedTokenizer tok, List<Map<String, Object>> messages,
                                             Integer maxLength, boolean assistantOnly) {
        String full = tok.applyChatTemplate(messages, false);
        Encoding enc = tok.encode(full, false);
        int[] ids = enc.ids();
        int[] labels = new int[ids.length];
        if (!assistantOnly) {
            System.arraycopy(ids, 0, labels, 0, ids.length);
        } else {
            java.util.Arrays.fill(labels, SupervisedExample.IGNORE_INDEX);
            int[][] offsets = enc.offsets();
            boolean any = false;
            for (int i = 0; i < messages.size(); i++) {
                if (!"assistant".equals(messages.get(i).get("role"))) {
                    continue;
                }
                String before = tok.applyChatTemplate(messages.subList(0, i), true);
                String through = tok.applyChatTemplate(messages.subList(0, i + 1), false);
                if (!through.startsWith(before) || !full.startsWith(through)) {
                    throw new IllegalArgumentException("the chat template does not render turn " + i
                            + " as a prefix of the conversation, so the assistant span cannot be located;"
                            + " use assistantOnly=false or prompt/completion records");
                }
                int start = full.codePointCount(0, before.length());
                int end = full.codePointCount(0, through.length());
                for (int t = 0; t < ids.length; t++) {
                    if (offsets[t][0] >= start && offsets[t][0] < end && offsets[t][1] > offsets[t][0]) {
                        labels[t] = ids[t];
                        any = true;
                    }
                }
            }
            if (!any) {
                throw new IllegalArgumentException("the conversation has no assistant turn to train on");
            }
        }
        return truncate(ids, labels, maxLength);
    }

    /**
     * A prompt and its completion: the prompt with the tokenizer's special tokens (e.g. bos), the
     * completion without, then eos when the tokenizer has one and {@code addEos}.
     */
    public static SupervisedExample promptCompletion(PretrainedTokenizer tok, String prompt, String completion,
                                                     Integer maxLength, boolean completionOnly, boolean addEos) {
        int[] p = tok.encode(prompt, true).ids();
        int[] c = tok.encode(completion, false).ids();
        List<Integer> ids = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int id : p) {
            ids.add(id);
            labels.add(completionOnly ? SupervisedExample.IGNORE_INDEX : id);
        }
        for (int id : c) {
            ids.add(id);
            labels.add(id);
        }
        if (addEos && tok.eosTokenId().isPresent() && (ids.isEmpty() || ids.get(ids.size() - 1).intValue() != tok.eosTokenId().get())) {
            ids.add(tok.eosTokenId().get());
            labels.add(tok.eosTokenId().get());
        }
        return truncate(ids.stream().mapToInt(Integer::intValue).toArray(),
                labels.stream().mapToInt(Integer::intValue).toArray(), maxLength);
    }

    /** Plain text for language modelling: labels equal the ids (eos appended when {@code addEos}). */
    public static SupervisedExample text(PretrainedTokenizer tok, String text, Integer maxLength, boolean addEos) {
        return promptCompletion(tok, "", text, maxLength, false, addEos);
    }

    private static SupervisedExample truncate(int[] ids, int[] labels, Integer maxLength) {
        if (maxLength != null && ids.length > maxLength) {
            ids = java.util.Arrays.copyOf(ids, maxLength);
            labels = java.util.Arrays.copyOf(labels, maxLength);
        }
        return new SupervisedExample(ids, labels);
    }
}
