package dev.tune4j.data;

import java.util.List;
import java.util.Map;

/**
 * transformers' {@code DataCollatorWithPadding}: pads the model inputs as the tokenizer's
 * {@code pad()} does and renames {@code label} / {@code label_ids} to {@code labels}.
 *
 * <p>Only {@code input_ids} (with the pad id), {@code attention_mask} (with 0, created as all
 * ones when missing), {@code token_type_ids} and {@code special_tokens_mask} are padded; any
 * other per-token key, such as a causal-LM {@code labels}, is stacked as it is and must already
 * have one length across the batch (use {@link DataCollatorForSeq2Seq} to pad labels).
 *
 * <pre>{@code
 * // transformers: DataCollatorWithPadding(tokenizer, pad_to_multiple_of=8)
 * DataCollator c = DataCollatorWithPadding.builder(tokenizerPadId).padToMultipleOf(8).build();
 * Batch b = c.collate(List.of(Map.of("input_ids", new int[] {5, 6, 7}, "label", 1)));
 * }</pre>
 *
 * <p>A constructor taking the tokenizer (reading its pad id and padding side) comes with the
 * tokenizer API; until then pass the pad token id.
 */
public final class DataCollatorWithPadding implements DataCollator {
    private final Padder padder;
    private final PaddingStrategy padding;
    private final Integer maxLength;
    private final Integer padToMultipleOf;

    /** Right padding to the longest row with {@code padTokenId}. */
    public DataCollatorWithPadding(int padTokenId) {
        this(builder(padTokenId));
    }

    private DataCollatorWithPadding(Builder b) {
        CollatorOptions.check(b.padding, b.maxLength, b.padToMultipleOf, b.paddingSide);
        this.padder = new Padder(b.padTokenId, b.padTokenTypeId, b.paddingSide);
        this.padding = b.padding;
        this.maxLength = b.maxLength;
        this.padToMultipleOf = b.padToMultipleOf;
    }

    /** A builder padding with {@code padTokenId} (the tokenizer's {@code pad_token_id}). */
    public static Builder builder(int padTokenId) {
        return new Builder(padTokenId);
    }

    @Override
    public Batch collate(List<?> features) {
        Map<String, Object> out = padder.pad(Padder.asMaps(features), padding, maxLength, padToMultipleOf);
        for (String alias : new String[] {"label", "label_ids"}) {
            if (out.containsKey(alias)) {
                // as in transformers: an existing "labels" keeps its place, else it is appended
                Object v = out.remove(alias);
                out.put("labels", v);
            }
        }
        return new Batch(out);
    }

    /** Options of {@link DataCollatorWithPadding}, with transformers' defaults. */
    public static final class Builder {
        private final int padTokenId;
        private int padTokenTypeId;
        private PaddingSide paddingSide = PaddingSide.RIGHT;
        private PaddingStrategy padding = PaddingStrategy.LONGEST;
        private Integer maxLength;
        private Integer padToMultipleOf;

        private Builder(int padTokenId) {
            this.padTokenId = padTokenId;
        }

        /** The tokenizer's {@code padding_side}; default right. */
        public Builder paddingSide(PaddingSide v) { paddingSide = v; return this; }
        /** {@code padding}; default longest ({@code True}). */
        public Builder padding(PaddingStrategy v) { padding = v; return this; }
        /** {@code max_length}, used with {@link PaddingStrategy#MAX_LENGTH}. */
        public Builder maxLength(Integer v) { maxLength = v; return this; }
        /** {@code pad_to_multiple_of}: round the padded length up to a multiple of this. */
        public Builder padToMultipleOf(Integer v) { padToMultipleOf = v; return this; }
        /** The tokenizer's {@code pad_token_type_id}; default 0. */
        public Builder padTokenTypeId(int v) { padTokenTypeId = v; return this; }

        /** Validates and builds. */
        public DataCollatorWithPadding build() {
            return new DataCollatorWithPadding(this);
        }
    }
}
