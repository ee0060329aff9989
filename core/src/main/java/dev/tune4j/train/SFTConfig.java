package dev.tune4j.train;

/**
 * trl's SFTConfig fields on top of {@link TrainingArguments}.
 *
 * @param datasetTextField column of plain-text datasets ("text")
 * @param maxLength examples are cut to this many tokens (1024)
 * @param packing pack several examples per row, attention kept inside each
 * @param packingStrategy "bfd" (best-fit decreasing, trl's default) or "wrapped"
 * @param completionOnlyLoss loss only on completions of prompt/completion records; null = true
 *     for such records (trl's default)
 * @param assistantOnlyLoss loss only on assistant turns of conversations
 * @param addEos append the eos token to text and completions
 */
public record SFTConfig(TrainingArguments args, String datasetTextField, int maxLength, boolean packing,
                        String packingStrategy, Boolean completionOnlyLoss, boolean assistantOnlyLoss, boolean addEos) {
    public SFTConfig {
        if (args == null) {
            throw new IllegalArgumentException("SFTConfig needs TrainingArguments");
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException("max_length must be at least 1, got " + maxLength);
        }
        if (!"bfd".equals(packingStrategy) && !"wrapped".equals(packingStrategy)) {
            throw new IllegalArgumentException("packing_strategy must be bfd or wrapped, got " + packingStrategy);
        }
    }

    public static Builder builder(TrainingArguments args) {
        return new Builder(args);
    }

    /** Builder with trl's defaults. */
    public static final class Builder {
        private final TrainingArguments args;
        private String datasetTextField = "text";
        private int maxLength = 1024;
        private boolean packing;
        private String packingStrategy = "bfd";
        private Boolean completionOnlyLoss;
        private boolean assistantOnlyLoss;
        private boolean addEos = true;

        Builder(TrainingArguments args) {
            this.args = args;
        }

        public Builder datasetTextField(String v) { datasetTextField = v; return this; }

        public Builder maxLength(int v) { maxLength = v; return this; }

        public Builder packing(boolean v) { packing = v; return this; }

        public Builder packingStrategy(String v) { packingStrategy = v; return this; }

        public Builder completionOnlyLoss(Boolean v) { completionOnlyLoss = v; return this; }

        public Builder assistantOnlyLoss(boolean v) { assistantOnlyLoss = v; return this; }

        public Builder addEos(boolean v) { addEos = v; return this; }

        public SFTConfig build() {
            return new SFTConfig(args, datasetTextField, maxLength, packing, packingStrategy, completionOnlyLoss,
                    assistantOnlyLoss, addEos);
        }
    }
}
