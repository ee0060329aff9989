package dev.tune4j.data.formats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ShareGPT records: a {@code conversations} list of {@code {"from": ..., "value": ...}} turns,
 * optionally with a separate {@code system} column, as LLaMA-Factory reads them.
 *
 * <p>Roles map to chat roles: {@code human} and {@code user} to "user", {@code gpt} and
 * {@code assistant} to "assistant", {@code system} to "system", {@code observation} and
 * {@code tool} to "tool". Other roles are an error naming the row and turn; pass a mapping to
 * accept them.
 */
public record ShareGptFormat(String conversations, String roleKey, String contentKey, String system,
                             Map<String, String> roles) implements RecordFormat {
    /** The standard role names. */
    public static final Map<String, String> DEFAULT_ROLES = Map.of("human", "user", "user", "user", "gpt", "assistant",
            "assistant", "assistant", "system", "system", "observation", "tool", "tool", "tool");

    /** conversations / from / value / system with {@link #DEFAULT_ROLES}. */
    public static final ShareGptFormat DEFAULT = new ShareGptFormat("conversations", "from", "value", "system",
            DEFAULT_ROLES);

    public ShareGptFormat {
        Objects.requireNonNull(conversations, "conversations column");
        Objects.requireNonNull(roleKey, "roleKey");
        Objects.requireNonNull(contentKey, "contentKey");
        roles = Map.copyOf(roles);
    }

    /** This format with extra or changed role mappings, e.g. {@code Map.of("function_call", "assistant")}. */
    public ShareGptFormat withRoles(Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(roles);
        m.putAll(extra);
        return new ShareGptFormat(conversations, roleKey, contentKey, system, m);
    }

    @Override
    public String name() {
        return "sharegpt";
    }

    @Override
    public List<Map<String, Object>> toMessages(Map<String, ?> row, int rowIndex) {
        List<Map<String, Object>> out = new ArrayList<>();
        String sys = Fields.optionalString(row, system, rowIndex);
        if (!sys.isEmpty()) {
            out.add(Fields.message("system", sys));
        }
        List<?> turns = Fields.requiredList(row, conversations, rowIndex);
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("row " + rowIndex + " field '" + conversations + "' is empty");
        }
        for (int t = 0; t < turns.size(); t++) {
            String where = "row " + rowIndex + " '" + conversations + "'[" + t + "]";
            if (!(turns.get(t) instanceof Map<?, ?> turn)) {
                throw new IllegalArgumentException(where + ": expected an object with '" + roleKey + "' and '"
                        + contentKey + "', found " + turns.get(t));
            }
            if (!(turn.get(roleKey) instanceof String from)) {
                throw new IllegalArgumentException(where + " is missing field '" + roleKey + "'");
            }
            if (!(turn.get(contentKey) instanceof String value)) {
                throw new IllegalArgumentException(where + " is missing text field '" + contentKey + "'");
            }
            String role = roles.get(from);
            if (role == null) {
                throw new IllegalArgumentException(where + ": unknown role '" + from + "'; known roles are "
                        + roles.keySet() + " (add a mapping with withRoles)");
            }
            out.add(Fields.message(role, value));
        }
        return out;
    }
}
