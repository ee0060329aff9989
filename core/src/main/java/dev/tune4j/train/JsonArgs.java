package dev.tune4j.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;

/** Typed reads from a parsed {@code training_args.json}, with errors naming the key and source. */
final class JsonArgs {
    /** Keys whose values live in record components (so they are not copied to {@code otherArgs}). */
    static final Set<String> MODELLED_KEYS;

    static {
        Set<String> s = new HashSet<>();
        for (Map.Entry<String, Object> e : TrainingArgsLayout.KEYS.entrySet()) {
            if (e.getValue() == TrainingArgsLayout.MODELLED) {
                s.add(e.getKey());
            }
        }
        // derived in transformers from other fields, but kept verbatim when a file sets them
        s.remove("run_name");
        s.remove("do_eval");
        s.remove("dataloader_pin_memory");
        s.add("shuffle_train_data");
        MODELLED_KEYS = Set.copyOf(s);
    }

    private final Map<String, Object> d;
    private final String source;

    JsonArgs(Map<String, Object> d, String source) {
        this.d = d;
        this.source = source;
    }

    boolean has(String key) {
        return d.get(key) != null;
    }

    private IllegalArgumentException bad(String key, String expected) {
        Object v = d.get(key);
        return new IllegalArgumentException(source + ": key '" + key + "': expected " + expected + ", found "
                + (v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")"));
    }

    String str(String key) {
        Object v = d.get(key);
        if (!(v instanceof String s)) {
            throw bad(key, "a string");
        }
        return s;
    }

    Double number(String key) {
        Object v = d.get(key);
        if (!(v instanceof Number n)) {
            throw bad(key, "a number");
        }
        return n.doubleValue();
    }

    void dbl(String key, DoubleConsumer sink) {
        if (has(key)) {
            sink.accept(number(key));
        }
    }

    void integer(String key, IntConsumer sink) {
        Integer v = optInteger(key);
        if (v != null) {
            sink.accept(v);
        }
    }

    Integer optInteger(String key) {
        if (!has(key)) {
            return null;
        }
        double v = number(key);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw bad(key, "an integer");
        }
        return (int) v;
    }

    boolean boolValue(String key) {
        Object v = d.get(key);
        if (!(v instanceof Boolean b)) {
            throw bad(key, "true or false");
        }
        return b;
    }

    void bool(String key, Consumer<Boolean> sink) {
        if (has(key)) {
            sink.accept(boolValue(key));
        }
    }

    Map<String, Object> map(String key) {
        Object v = d.get(key);
        if (!(v instanceof Map<?, ?> m)) {
            throw bad(key, "a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, val) -> out.put(String.valueOf(k), val));
        return out;
    }

    /** A list of strings; a single string is one entry, as transformers accepts for report_to. */
    List<String> stringList(String key) {
        Object v = d.get(key);
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof List<?> l)) {
            throw bad(key, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s)) {
                throw bad(key, "a list of strings");
            }
            out.add(s);
        }
        return out;
    }
}
