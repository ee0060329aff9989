package dev.tune4j.data.formats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Prompt/completion records (TRL): {@code prompt} and {@code completion}, either texts or, in the
 * conversational form, lists of messages.
 */
public record PromptCompletionFormat(String prompt, String completion) implements RecordFormat {
    /** The {@code prompt} and {@code completion} columns. */
    public static final PromptCompletionFormat DEFAULT = new PromptCompletionFormat("prompt", "completion");

    public PromptCompletionFormat {
        Objects.requireNonNull(prompt, "prompt column");
        Objects.requireNonNull(completion, "completion column");
    }

    @Override
    public String name() {
        return "prompt_completion";
    }

    /** Texts become a user and an assistant turn; message lists are concatenated. */
    @Override
    public List<Map<String, Object>> toMessages(Map<String, ?> row, int rowIndex) {
        if (row.get(prompt) instanceof List<?> && row.get(completion) instanceof List<?>) {
            List<Map<String, Object>> out = new ArrayList<>(MessagesFormat.DEFAULT.toMessages(
                    Map.of("messages", row.get(prompt)), rowIndex));
            out.addAll(MessagesFormat.DEFAULT.toMessages(Map.of("messages", row.get(completion)), rowIndex));
            return out;
        }
        PromptCompletion pc = toPromptCompletion(row, rowIndex);
        return List.of(Fields.message("user", pc.prompt()), Fields.message("assistant", pc.completion()));
    }

    @Override
    public PromptCompletion toPromptCompletion(Map<String, ?> row, int rowIndex) {
        return new PromptCompletion(Fields.requiredString(row, prompt, rowIndex),
                Fields.requiredString(row, completion, rowIndex));
    }
}
