package dev.tune4j.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One supervised fine-tuning example as token ids: the prompt and completion concatenated into
 * {@code inputIds}, with {@code labels} equal to the ids on the completion and -100 on the prompt,
 * so the loss counts only the response (TRL's completion-only loss, LLaMA-Factory's
 * {@code train_on_prompt=False}).
 *
 * <p>This is the tokenizer-agnostic step: tokenize the prompt (for chat data, the chat template
 * rendered up to the assistant turn with the generation prompt) and the completion separately,
 * then build the example here and collate with {@link DataCollatorForSeq2Seq}.
 *
 * <pre>{@code
 * SupervisedExample ex = SupervisedExample.builder().maxLength(1024).eosTokenId(eos)
 *         .build(promptIds, completionIds);
 * dataset row: ex.toFeatures()   // {"input_ids", "attention_mask", "labels"}
 * }</pre>
 *
 * @param inputIds prompt ids followed by completion ids (and eos when appended)
 * @param labels same length; -100 where the loss is ignored
 */
public record SupervisedExample(int[] inputIds, int[] labels) {
    /** The label value the loss ignores (transformers' {@code IGNORE_INDEX}). */
    public static final int IGNORE_INDEX = -100;

    public SupervisedExample {
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(labels, "labels");
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException("inputIds and labels differ in length: " + inputIds.length + " vs "
                    + labels.length);
        }
    }

    /** Prompt then completion, prompt masked, no eos added, no truncation. */
    public static SupervisedExample of(int[] promptIds, int[] completionIds) {
        return builder().build(promptIds, completionIds);
    }

    /** Options: maximum length, eos appending, prompt masking, truncation side. */
    public static Builder builder() {
        return new Builder();
    }

    /** All ones, one per token. */
    public int[] attentionMask() {
        int[] m = new int[inputIds.length];
        Arrays.fill(m, 1);
        return m;
    }

    /** Number of tokens. */
    public int length() {
        return inputIds.length;
    }

    /** Number of positions whose label is not -100. */
    public int numTrainableTokens() {
        int n = 0;
        for (int l : labels) {
            if (l != IGNORE_INDEX) {
                n++;
            }
        }
        return n;
    }

    /** The example as a collator feature: {@code input_ids}, {@code attention_mask}, {@code labels}. */
    public Map<String, Object> toFeatures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input_ids", inputIds.clone());
        m.put("attention_mask", attentionMask());
        m.put("labels", labels.clone());
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SupervisedExample e && Arrays.equals(inputIds, e.inputIds) && Arrays.equals(labels, e.labels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "SupervisedExample{inputIds=" + Arrays.toString(inputIds) + ", labels=" + Arrays.toString(labels) + "}";
    }

    /** Builds {@link SupervisedExample}s with fixed options; reusable across examples. */
    public static final class Builder {
        private Integer maxLength;
        private Integer eosTokenId;
        private boolean trainOnPrompt;
        private TruncationMode truncationMode = TruncationMode.KEEP_START;

        private Builder() {}

        /** Cut the concatenated example to at most this many tokens (null: no limit). */
        public Builder maxLength(Integer v) {
            if (v != null && v < 1) {
                throw new IllegalArgumentException("maxLength must be null or >= 1, found " + v);
            }
            maxLength = v;
            return this;
        }

        /**
         * Append this eos id to the completion unless it already ends with it, so the model learns
         * to stop (null: append nothing). It is part of the completion, hence trained.
         */
        public Builder eosTokenId(Integer v) { eosTokenId = v; return this; }

        /** Also train on the prompt tokens (LLaMA-Factory {@code train_on_prompt}); default false. */
        public Builder trainOnPrompt(boolean v) { trainOnPrompt = v; return this; }

        /** Which end to keep when over {@code maxLength}; default keep the start. */
        public Builder truncationMode(TruncationMode v) { truncationMode = Objects.requireNonNull(v); return this; }

        /**
         * Concatenates, masks and truncates.
         *
         * @throws IllegalArgumentException if either id array is null
         */
        public SupervisedExample build(int[] promptIds, int[] completionIds) {
            Objects.requireNonNull(promptIds, "promptIds");
            Objects.requireNonNull(completionIds, "completionIds");
            int[] completion = completionIds;
            if (eosTokenId != null && (completion.length == 0 || completion[completion.length - 1] != eosTokenId)) {
                completion = Arrays.copyOf(completion, completion.length + 1);
                completion[completion.length - 1] = eosTokenId;
            }
            int n = promptIds.length + completion.length;
            int[] ids = new int[n];
            int[] labels = new int[n];
            System.arraycopy(promptIds, 0, ids, 0, promptIds.length);
            System.arraycopy(completion, 0, ids, promptIds.length, completion.length);
            for (int i = 0; i < n; i++) {
                labels[i] = (i < promptIds.length && !trainOnPrompt) ? IGNORE_INDEX : ids[i];
            }
            if (maxLength != null && n > maxLength) {
                int from = truncationMode == TruncationMode.KEEP_START ? 0 : n - maxLength;
                ids = Arrays.copyOfRange(ids, from, from + maxLength);
                labels = Arrays.copyOfRange(labels, from, from + maxLength);
            }
            return new SupervisedExample(ids, labels);
        }
    }
}
