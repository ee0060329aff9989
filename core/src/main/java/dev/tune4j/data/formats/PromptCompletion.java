package dev.tune4j.data.formats;

import java.util.Objects;

/**
 * A training pair whose loss counts only on the completion: TRL's prompt-completion example.
 *
 * @param prompt the text the model is given (may be empty: then every token is trained)
 * @param completion the text the model learns to produce
 */
public record PromptCompletion(String prompt, String completion) {
    public PromptCompletion {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completion, "completion");
    }
}
