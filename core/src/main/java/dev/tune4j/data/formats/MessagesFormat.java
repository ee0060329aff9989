package dev.tune4j.data.formats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * OpenAI-style records: a {@code messages} list of {@code {"role": ..., "content": ...}} (TRL's
 * conversational format). Each message is copied with all its keys (so {@code tool_calls} or
 * {@code name} survive); {@code role} must be text and {@code content} present.
 */
public record MessagesFormat(String messages) implements RecordFormat {
    /** The {@code messages} column. */
    public static final MessagesFormat DEFAULT = new MessagesFormat("messages");

    public MessagesFormat {
        Objects.requireNonNull(messages, "messages column");
    }

    @Override
    public String name() {
        return "messages";
    }

    @Override
    public List<Map<String, Object>> toMessages(Map<String, ?> row, int rowIndex) {
        List<?> list = Fields.requiredList(row, messages, rowIndex);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("row " + rowIndex + " field '" + messages + "' is empty");
        }
        List<Map<String, Object>> out = new ArrayList<>(list.size());
        for (int t = 0; t < list.size(); t++) {
            String where = "row " + rowIndex + " '" + messages + "'[" + t + "]";
            if (!(list.get(t) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(where + ": expected an object with 'role' and 'content', found "
                        + list.get(t));
            }
            if (!(m.get("role") instanceof String role) || role.isEmpty()) {
                throw new IllegalArgumentException(where + " is missing field 'role'");
            }
            if (!m.containsKey("content")) {
                throw new IllegalArgumentException(where + " is missing field 'content'");
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), v));
            out.add(copy);
        }
        return out;
    }
}
