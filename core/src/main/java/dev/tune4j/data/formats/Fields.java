package dev.tune4j.data.formats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Field access with errors that name the row and the field. */
final class Fields {
    private Fields() {}

    static String requiredString(Map<String, ?> row, String field, int rowIndex) {
        Object v = row.get(field);
        if (v == null) {
            throw new IllegalArgumentException("row " + rowIndex + " is missing field '" + field + "'");
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("row " + rowIndex + " field '" + field + "': expected text, found "
                    + v.getClass().getSimpleName());
        }
        return s;
    }

    /** The string at {@code field}, or "" when absent or null. */
    static String optionalString(Map<String, ?> row, String field, int rowIndex) {
        if (field == null || row.get(field) == null) {
            return "";
        }
        return requiredString(row, field, rowIndex);
    }

    static List<?> requiredList(Map<String, ?> row, String field, int rowIndex) {
        Object v = row.get(field);
        if (v == null) {
            throw new IllegalArgumentException("row " + rowIndex + " is missing field '" + field + "'");
        }
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException("row " + rowIndex + " field '" + field + "': expected a list, found "
                    + v.getClass().getSimpleName());
        }
        return l;
    }

    static Map<String, Object> message(String role, Object content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }
}
