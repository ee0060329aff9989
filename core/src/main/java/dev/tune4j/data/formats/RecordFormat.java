package dev.tune4j.data.formats;

import java.util.List;
import java.util.Map;

/**
 * A dataset record layout (alpaca, sharegpt, OpenAI messages, prompt/completion, plain text) and
 * its conversion to chat messages, the {@code [{"role": ..., "content": ...}]} list a chat
 * template renders, or to a {@link PromptCompletion} pair.
 *
 * <p>Errors name the row index and the field: {@code "row 3 is missing field 'output'"}.
 */
public interface RecordFormat {
    /** The format's name, as {@link RecordFormats#byName(String)} takes it. */
    String name();

    /**
     * The row as chat messages, each a map with {@code "role"} and {@code "content"} (system
     * first when there is one).
     *
     * @param rowIndex the row's index, used in error messages
     * @throws IllegalArgumentException naming the row and field when the row does not fit
     */
    List<Map<String, Object>> toMessages(Map<String, ?> row, int rowIndex);

    /**
     * The row as a prompt and a completion, for formats that have a plain-text form.
     *
     * @throws UnsupportedOperationException for conversation formats, which need a chat template
     */
    default PromptCompletion toPromptCompletion(Map<String, ?> row, int rowIndex) {
        throw new UnsupportedOperationException(name() + " records are conversations: render toMessages(...) with a"
                + " chat template instead");
    }
}
