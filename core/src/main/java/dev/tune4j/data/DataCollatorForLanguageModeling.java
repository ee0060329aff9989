package dev.tune4j.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code DataCollatorForLanguageModeling(mlm=False)}: the causal-LM collator.
 * Pads the batch, then sets {@code labels} to a copy of {@code input_ids} where every position
 * equal to the pad id is -100.
 *
 * <p>Note what that implies, as in transformers: a real token equal to the pad id (an eos used as
 * pad, a 0 in the middle of a row) is masked too. When pad and eos share an id the model never
 * learns to stop; give the tokenizer a distinct pad token, or use {@link DataCollatorForSeq2Seq}
 * with explicit labels.
 *
 * <p>Features are either maps (padded as the tokenizer's {@code pad()} does, with an
 * {@code attention_mask}; a {@code special_tokens_mask} is dropped) or bare id sequences
 * ({@code int[]} or {@code List<Integer>}; padded with the pad id, no attention mask).
 * Masked-LM ({@code mlm=True}) is not provided.
 *
 * <pre>{@code
 * // transformers: DataCollatorForLanguageModeling(tokenizer, mlm=False)
 * DataCollator c = new DataCollatorForLanguageModeling(tokenizerPadId);
 * }</pre>
 *
 * <p>A constructor taking the tokenizer comes with the tokenizer API; until then pass the pad id.
 */
public final class DataCollatorForLanguageModeling implements DataCollator {
    private final Padder padder;
    private final Integer padToMultipleOf;

    /** Right padding with {@code padTokenId}. */
    public DataCollatorForLanguageModeling(int padTokenId) {
        this(builder(padTokenId));
    }

    private DataCollatorForLanguageModeling(Builder b) {
        CollatorOptions.check(PaddingStrategy.LONGEST, null, b.padToMultipleOf, b.paddingSide);
        this.padder = new Padder(b.padTokenId, b.padTokenTypeId, b.paddingSide);
        this.padToMultipleOf = b.padToMultipleOf;
    }

    /** A builder padding with {@code padTokenId} (the tokenizer's {@code pad_token_id}). */
    public static Builder builder(int padTokenId) {
        return new Builder(padTokenId);
    }

    @Override
    public Batch collate(List<?> features) {
        if (features.isEmpty()) {
            throw new IllegalArgumentException("no features to collate: the list is empty");
        }
        Map<String, Object> out;
        if (features.get(0) instanceof Map<?, ?>) {
            out = padder.pad(Padder.asMaps(features), PaddingStrategy.LONGEST, null, padToMultipleOf);
            out.remove("special_tokens_mask");
        } else {
            out = new LinkedHashMap<>();
            out.put(Padder.INPUT_IDS, collateSequences(features));
        }
        int[][] ids = (int[][]) out.get(Padder.INPUT_IDS);
        int[][] labels = new int[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            labels[i] = ids[i].clone();
            for (int j = 0; j < labels[i].length; j++) {
                if (labels[i][j] == padder.padTokenId()) {
                    labels[i][j] = -100;
                }
            }
        }
        out.put("labels", labels);
        return new Batch(out);
    }

    /** transformers' {@code _torch_collate_batch}: stack when lengths agree, else pad with the pad id. */
    private int[][] collateSequences(List<?> features) {
        int[][] rows = new int[features.size()][];
        for (int i = 0; i < rows.length; i++) {
            Object f = features.get(i);
            if (f instanceof Map<?, ?>) {
                throw new IllegalArgumentException("row " + i + " is a Map but row 0 is a sequence of ids; use one kind");
            }
            rows[i] = Ids.toIntArray(f, "row " + i);
        }
        int max = 0;
        for (int[] r : rows) {
            max = Math.max(max, r.length);
        }
        int target = Ids.roundUp(max, padToMultipleOf);
        int[][] out = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = Ids.pad(rows[i], target, padder.padTokenId(), padder.side());
        }
        return out;
    }

    /** Options of {@link DataCollatorForLanguageModeling}. */
    public static final class Builder {
        private final int padTokenId;
        private int padTokenTypeId;
        private PaddingSide paddingSide = PaddingSide.RIGHT;
        private Integer padToMultipleOf;

        private Builder(int padTokenId) {
            this.padTokenId = padTokenId;
        }

        /** The tokenizer's {@code padding_side}; default right. */
        public Builder paddingSide(PaddingSide v) { paddingSide = v; return this; }
        /** {@code pad_to_multiple_of}. */
        public Builder padToMultipleOf(Integer v) { padToMultipleOf = v; return this; }
        /** The tokenizer's {@code pad_token_type_id}; default 0. */
        public Builder padTokenTypeId(int v) { padTokenTypeId = v; return this; }

        /** Validates and builds. */
        public DataCollatorForLanguageModeling build() {
            return new DataCollatorForLanguageModeling(this);
        }
    }
}
