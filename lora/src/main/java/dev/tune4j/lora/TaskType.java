package dev.tune4j.lora;

/**
 * peft's {@code TaskType}: what the adapted model is used for. Written to adapter_config.json as
 * the constant's name ({@code "CAUSAL_LM"}).
 */
public enum TaskType {
    /** Causal language modelling ({@code AutoModelForCausalLM}). */
    CAUSAL_LM,
    /** Sequence classification. */
    SEQ_CLS,
    /** Encoder-decoder generation. */
    SEQ_2_SEQ_LM,
    /** Token classification. */
    TOKEN_CLS,
    /** Extractive question answering. */
    QUESTION_ANS,
    /** Feature extraction (embeddings). */
    FEATURE_EXTRACTION
}
