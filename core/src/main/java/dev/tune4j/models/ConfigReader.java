package dev.tune4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Typed access to config.json fields with errors that name the file, key, expected and found. */
final class ConfigReader {
    private final ObjectNode node;
    private final String source;

    ConfigReader(ObjectNode node, String source) {
        this.node = node;
        this.source = source;
    }

    ObjectNode node() {
        return node;
    }

    String source() {
        return source;
    }

    private JsonNode present(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private IllegalArgumentException bad(String key, String expected, JsonNode found) {
        return new IllegalArgumentException(source + ": key '" + key + "' should be " + expected + " but is " + found);
    }

    int requireInt(String key) {
        JsonNode v = present(key);
        if (v == null) {
            throw new IllegalArgumentException(source + ": required key '" + key + "' is missing");
        }
        return asInt(key, v);
    }

    int getInt(String key, int dflt) {
        JsonNode v = present(key);
        return v == null ? dflt : asInt(key, v);
    }

    Integer getIntOrNull(String key) {
        JsonNode v = present(key);
        return v == null ? null : asInt(key, v);
    }

    private int asInt(String key, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw bad(key, "an integer", v);
        }
        int i = v.intValue();
        if (i < 0) {
            throw bad(key, "a non-negative integer", v);
        }
        return i;
    }

    double getDouble(String key, double dflt) {
        JsonNode v = present(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw bad(key, "a number", v);
        }
        return v.doubleValue();
    }

    boolean getBool(String key, boolean dflt) {
        JsonNode v = present(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw bad(key, "true or false", v);
        }
        return v.booleanValue();
    }

    String getString(String key, String dflt) {
        JsonNode v = present(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw bad(key, "a string", v);
        }
        return v.textValue();
    }

    /** An id or a list of ids (eos_token_id may be either). */
    List<Integer> getIntList(String key) {
        JsonNode v = present(key);
        List<Integer> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isArray()) {
            for (JsonNode e : v) {
                out.add(asInt(key, e));
            }
        } else {
            out.add(asInt(key, v));
        }
        return out;
    }

    JsonNode getObject(String key) {
        JsonNode v = present(key);
        if (v != null && !v.isObject()) {
            throw bad(key, "an object or null", v);
        }
        return v;
    }
}
