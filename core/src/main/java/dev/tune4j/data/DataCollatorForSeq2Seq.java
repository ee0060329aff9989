package dev.tune4j.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code DataCollatorForSeq2Seq}: pads the model inputs as the tokenizer's
 * {@code pad()} does, and pads {@code labels} separately with {@code labelPadTokenId} (-100, which
 * the loss ignores) to the longest label (or {@code maxLength}), rounded up to
 * {@code padToMultipleOf}, on the same padding side. This is the collator for supervised
 * fine-tuning of causal LMs, where labels are input_ids with the prompt masked.
 *
 * <p>Output keys: the keys of row 0 without the label (with {@code attention_mask} created when
 * missing), then {@code labels}. Without labels there is no {@code labels} entry (transformers
 * sets it to None).
 *
 * <pre>{@code
 * // transformers: DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)
 * DataCollator c = new DataCollatorForSeq2Seq(tokenizerPadId);
 * Batch b = c.collate(List.of(Map.of("input_ids", ids, "labels", labels)));
 * }</pre>
 *
 * <p>{@code new DataCollatorForSeq2Seq(tokenizer)} takes the pad id and padding side from the
 * tokenizer, as transformers does; a tokenizer without a pad token is refused with the usual
 * advice (set the pad token, often to eos), or pass the pad id directly. Building
 * {@code decoder_input_ids} from a seq2seq model is not supported (tune4j trains decoder-only
 * models).
 */
public final class DataCollatorForSeq2Seq implements DataCollator {
    private final Padder padder;
    private final PaddingStrategy padding;
    private final Integer maxLength;
    private final Integer padToMultipleOf;
    private final int labelPadTokenId;

    /** Right padding to the longest row with {@code padTokenId}, labels padded with -100. */
    public DataCollatorForSeq2Seq(int padTokenId) {
        this(builder(padTokenId));
    }

    /** transformers' {@code DataCollatorForSeq2Seq(tokenizer)}: the tokenizer's pad id and padding side. */
    public DataCollatorForSeq2Seq(dev.tune4j.tokenizers.PretrainedTokenizer tokenizer) {
        this(builder(tokenizer.padTokenId().orElseThrow(() -> new IllegalArgumentException(
                "the tokenizer has no pad token: give it one (often its eos token) or pass a pad token id"
                        + " to DataCollatorForSeq2Seq")))
                .paddingSide("left".equals(tokenizer.paddingSide()) ? PaddingSide.LEFT : PaddingSide.RIGHT));
    }

    private DataCollatorForSeq2Seq(Builder b) {
        CollatorOptions.check(b.padding, b.maxLength, b.padToMultipleOf, b.paddingSide);
        this.padder = new Padder(b.padTokenId, b.padTokenTypeId, b.paddingSide);
        this.padding = b.padding;
        this.maxLength = b.maxLength;
        this.padToMultipleOf = b.padToMultipleOf;
        this.labelPadTokenId = b.labelPadTokenId;
    }

    /** A builder padding with {@code padTokenId} (the tokenizer's {@code pad_token_id}). */
    public static Builder builder(int padTokenId) {
        return new Builder(padTokenId);
    }

    @Override
    public Batch collate(List<?> features) {
        List<Map<String, Object>> rows = Padder.asMaps(features);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no features to collate: the list is empty");
        }
        String labelName = rows.get(0).containsKey("label") ? "label" : "labels";
        int[][] labels = null;
        if (rows.get(0).containsKey(labelName)) {
            labels = new int[rows.size()][];
            boolean allNull = true;
            for (int i = 0; i < rows.size(); i++) {
                if (!rows.get(i).containsKey(labelName)) {
                    throw new IllegalArgumentException("row " + i + " has no '" + labelName + "', which row 0 has");
                }
                Object v = rows.get(i).get(labelName);
                if (v != null) {
                    allNull = false;
                    if (!Ids.isSequence(v)) {
                        throw new IllegalArgumentException("row " + i + " '" + labelName + "': DataCollatorForSeq2Seq pads"
                                + " per-token labels and expects a sequence, found " + Ids.describe(v)
                                + "; use DataCollatorWithPadding for one label per example");
                    }
                    labels[i] = Ids.toIntArray(v, "row " + i + " '" + labelName + "'");
                }
            }
            if (allNull) {
                labels = null;
            } else {
                for (int i = 0; i < labels.length; i++) {
                    if (labels[i] == null) {
                        throw new IllegalArgumentException("row " + i + " '" + labelName + "' is null but other rows"
                                + " have labels");
                    }
                }
            }
        }
        List<Map<String, Object>> inputs = new ArrayList<>(rows.size());
        for (Map<String, Object> r : rows) {
            Map<String, Object> copy = new LinkedHashMap<>(r);
            copy.remove(labelName);
            inputs.add(copy);
        }
        Map<String, Object> out = padder.pad(inputs, padding, maxLength, padToMultipleOf);
        if (labels != null) {
            out.put("labels", padLabels(labels));
        }
        return new Batch(out);
    }

    private int[][] padLabels(int[][] labels) {
        if (padding == PaddingStrategy.DO_NOT_PAD) {
            Padder.requireEqualLengths(labels, "labels", "padding is do_not_pad, so labels must already have"
                    + " equal lengths");
            return labels;
        }
        int target;
        if (padding == PaddingStrategy.MAX_LENGTH) {
            target = maxLength;
        } else {
            target = 0;
            for (int[] l : labels) {
                target = Math.max(target, l.length);
            }
        }
        target = Ids.roundUp(target, padToMultipleOf);
        int[][] out = new int[labels.length][];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i].length > target) {
                throw new IllegalArgumentException("row " + i + " has " + labels[i].length + " labels, more than"
                        + " maxLength " + target + "; padding does not truncate, so truncate the examples first");
            }
            out[i] = Ids.pad(labels[i], target, labelPadTokenId, padder.side());
        }
        return out;
    }

    /** Options of {@link DataCollatorForSeq2Seq}, with transformers' defaults. */
    public static final class Builder {
        private final int padTokenId;
        private int padTokenTypeId;
        private int labelPadTokenId = -100;
        private PaddingSide paddingSide = PaddingSide.RIGHT;
        private PaddingStrategy padding = PaddingStrategy.LONGEST;
        private Integer maxLength;
        private Integer padToMultipleOf;

        private Builder(int padTokenId) {
            this.padTokenId = padTokenId;
        }

        /** The tokenizer's {@code padding_side}, used for labels too; default right. */
        public Builder paddingSide(PaddingSide v) { paddingSide = v; return this; }
        /** {@code padding}; default longest ({@code True}). */
        public Builder padding(PaddingStrategy v) { padding = v; return this; }
        /** {@code max_length}, used with {@link PaddingStrategy#MAX_LENGTH} for inputs and labels. */
        public Builder maxLength(Integer v) { maxLength = v; return this; }
        /** {@code pad_to_multiple_of}, applied to inputs and labels. */
        public Builder padToMultipleOf(Integer v) { padToMultipleOf = v; return this; }
        /** {@code label_pad_token_id}; default -100. */
        public Builder labelPadTokenId(int v) { labelPadTokenId = v; return this; }
        /** The tokenizer's {@code pad_token_type_id}; default 0. */
        public Builder padTokenTypeId(int v) { padTokenTypeId = v; return this; }

        /** Validates and builds. */
        public DataCollatorForSeq2Seq build() {
            return new DataCollatorForSeq2Seq(this);
        }
    }
}
