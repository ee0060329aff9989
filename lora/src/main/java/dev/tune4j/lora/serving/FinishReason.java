package dev.tune4j.lora.serving;

/** Why a sequence stopped, as vLLM and the OpenAI API report it ({@code finish_reason}). */
public enum FinishReason {
    /** An eos token was generated ({@code "stop"}). */
    STOP,
    /** {@code max_new_tokens} (or {@code max_length}) was reached ({@code "length"}). */
    LENGTH;

    /** The OpenAI API spelling: {@code "stop"} or {@code "length"}. */
    public String openAiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
