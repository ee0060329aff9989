package dev.tune4j.data.formats;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Plain-text records (a {@code text} column, TRL's language-modeling format): every token is
 * trained, so the prompt is empty. They have no roles, hence no messages.
 */
public record TextFormat(String text) implements RecordFormat {
    /** The {@code text} column. */
    public static final TextFormat DEFAULT = new TextFormat("text");

    public TextFormat {
        Objects.requireNonNull(text, "text column");
    }

    @Override
    public String name() {
        return "text";
    }

    /** @throws UnsupportedOperationException always: plain text has no roles */
    @Override
    public List<Map<String, Object>> toMessages(Map<String, ?> row, int rowIndex) {
        throw new UnsupportedOperationException("plain-text records have no roles; use toPromptCompletion, whose"
                + " prompt is empty");
    }

    @Override
    public PromptCompletion toPromptCompletion(Map<String, ?> row, int rowIndex) {
        return new PromptCompletion("", Fields.requiredString(row, text, rowIndex));
    }
}
