package dev.tune4j.data.formats;

import dev.tune4j.data.Dataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lookup and detection of {@link RecordFormat}s, and whole-dataset conversion. */
public final class RecordFormats {
    private RecordFormats() {}

    /**
     * The format with standard column names: "alpaca", "sharegpt", "messages" (or "openai"),
     * "prompt_completion", "text".
     */
    public static RecordFormat byName(String name) {
        return switch (name == null ? "" : name) {
            case "alpaca" -> AlpacaFormat.DEFAULT;
            case "sharegpt" -> ShareGptFormat.DEFAULT;
            case "messages", "openai" -> MessagesFormat.DEFAULT;
            case "prompt_completion" -> PromptCompletionFormat.DEFAULT;
            case "text" -> TextFormat.DEFAULT;
            default -> throw new IllegalArgumentException("unknown record format '" + name
                    + "'; expected alpaca, sharegpt, messages, prompt_completion or text");
        };
    }

    /**
     * Guesses the format from the column names: {@code conversations} → sharegpt,
     * {@code messages} → messages, {@code instruction} + {@code output} → alpaca,
     * {@code prompt} + {@code completion} → prompt_completion, {@code text} → text.
     *
     * @throws IllegalArgumentException listing the columns when none fits
     */
    public static RecordFormat detect(List<String> columns) {
        if (columns.contains("conversations")) {
            return ShareGptFormat.DEFAULT;
        } else if (columns.contains("messages")) {
            return MessagesFormat.DEFAULT;
        } else if (columns.contains("instruction") && columns.contains("output")) {
            return AlpacaFormat.DEFAULT;
        } else if (columns.contains("prompt") && columns.contains("completion")) {
            return PromptCompletionFormat.DEFAULT;
        } else if (columns.contains("text")) {
            return TextFormat.DEFAULT;
        }
        throw new IllegalArgumentException("cannot tell the record format from columns " + columns
                + "; expected conversations, messages, instruction+output, prompt+completion or text");
    }

    /** Every row as {@code {"messages": [...]}}, the other columns dropped. */
    public static Dataset toMessages(Dataset ds, RecordFormat format) {
        return ds.map((row, i) -> Map.of("messages", format.toMessages(row, i)), ds.columnNames());
    }

    /** Every row as {@code {"prompt": ..., "completion": ...}}, the other columns dropped. */
    public static Dataset toPromptCompletion(Dataset ds, RecordFormat format) {
        return ds.map((row, i) -> {
            PromptCompletion pc = format.toPromptCompletion(row, i);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("prompt", pc.prompt());
            out.put("completion", pc.completion());
            return out;
        }, ds.columnNames());
    }
}
