package dev.tune4j.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** File readers and writers behind {@link Dataset}; every error names the file and the line. */
final class DatasetIO {
    static final ObjectMapper JSON = new ObjectMapper();

    private DatasetIO() {}

    static BufferedReader open(Path file) {
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("dataset file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open dataset file " + file + ": " + e.getMessage(), e);
        }
    }

    static UncheckedIOException readError(Path file, IOException e) {
        return new UncheckedIOException("cannot read dataset file " + file + ": " + e.getMessage(), e);
    }

    /** One JSON object per non-blank line. */
    static Map<String, Object> parseJsonlLine(String line, Path file, long lineNo) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " line " + lineNo + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(file + " line " + lineNo + ": expected a JSON object, found "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        return toMap(node);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> toMap(JsonNode object) {
        return JSON.convertValue(object, LinkedHashMap.class);
    }

    static List<Map<String, Object>> readJsonl(Path file) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (BufferedReader r = open(file)) {
            String line;
            long lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (!line.isBlank()) {
                    rows.add(parseJsonlLine(line, file, lineNo));
                }
            }
        } catch (IOException e) {
            throw readError(file, e);
        }
        return rows;
    }

    /** A JSON array of objects, or an object whose {@code field} holds that array. */
    static List<Map<String, Object>> readJson(Path file, String field) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Reader r = open(file); JsonParser p = JSON.getFactory().createParser(r)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                // walk to the field holding the rows without materialising the rest of the object
                boolean found = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    if (name.equals(field)) {
                        found = true;
                        break;
                    }
                    p.skipChildren();
                }
                if (!found) {
                    throw new IllegalArgumentException(file + ": a JSON object dataset needs its rows in a \"" + field
                            + "\" array");
                }
                t = p.currentToken();
            }
            if (t != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(file + ": expected a JSON array of row objects (or an object with a \""
                        + field + "\" array), found " + t);
            }
            int index = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException(file + ": row " + index + " (line "
                            + p.currentLocation().getLineNr() + ") is not a JSON object but " + t);
                }
                rows.add(toMap(JSON.readTree(p)));
                index++;
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new IllegalArgumentException(file + (loc == null ? "" : " line " + loc.getLineNr() + " column "
                    + loc.getColumnNr()) + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw readError(file, e);
        }
        return rows;
    }

    /**
     * CSV with a header row. As pandas (which datasets' csv loader uses) does, a column whose
     * non-empty cells all parse as integers becomes integers, else as numbers becomes doubles,
     * else stays text; empty cells are null.
     */
    static List<Map<String, Object>> readCsv(Path file) {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.FAIL_ON_MISSING_HEADER_COLUMNS);
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<Map<String, String>> raw = new ArrayList<>();
        try (Reader r = open(file);
             MappingIterator<Map<String, String>> it = mapper.readerFor(Map.class).with(schema).readValues(r)) {
            while (it.hasNextValue()) {
                raw.add(it.nextValue());
            }
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new IllegalArgumentException(file + (loc == null ? "" : " line " + loc.getLineNr())
                    + ": malformed CSV: " + e.getOriginalMessage(), e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof JsonProcessingException jpe) {
                JsonLocation loc = jpe.getLocation();
                throw new IllegalArgumentException(file + (loc == null ? "" : " line " + loc.getLineNr())
                        + ": malformed CSV: " + jpe.getOriginalMessage(), e);
            }
            throw e;
        } catch (IOException e) {
            throw readError(file, e);
        }
        List<String> columns = new ArrayList<>();
        for (Map<String, String> row : raw) {
            for (String k : row.keySet()) {
                if (!columns.contains(k)) {
                    columns.add(k);
                }
            }
        }
        Map<String, Character> kinds = new LinkedHashMap<>();
        for (String c : columns) {
            char kind = 'i';
            for (Map<String, String> row : raw) {
                String v = row.get(c);
                if (v == null || v.isEmpty()) {
                    continue;
                }
                if (kind == 'i' && !isLong(v)) {
                    kind = 'd';
                }
                if (kind == 'd' && !isDouble(v)) {
                    kind = 's';
                    break;
                }
            }
            kinds.put(c, kind);
        }
        List<Map<String, Object>> rows = new ArrayList<>(raw.size());
        for (Map<String, String> row : raw) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (String c : columns) {
                String v = row.get(c);
                Object value;
                if (v == null || v.isEmpty()) {
                    value = null; // pandas reads an empty cell as NaN, datasets as None
                } else {
                    value = switch (kinds.get(c)) {
                        case 'i' -> narrowLong(Long.parseLong(v.trim()));
                        case 'd' -> Double.parseDouble(v.trim());
                        default -> v;
                    };
                }
                out.put(c, value);
            }
            rows.add(out);
        }
        return rows;
    }

    private static Object narrowLong(long v) {
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? (Object) (int) v : (Object) v;
    }

    private static boolean isLong(String s) {
        try {
            Long.parseLong(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isDouble(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.endsWith("d") || t.endsWith("D") || t.endsWith("f") || t.endsWith("F")) {
            return false; // Java's parser accepts type suffixes that pandas does not
        }
        try {
            Double.parseDouble(t);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** One row {"text": line} per line, empty lines included, as datasets' text loader. */
    static List<Map<String, Object>> readText(Path file) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (BufferedReader r = open(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("text", line);
                rows.add(row);
            }
        } catch (IOException e) {
            throw readError(file, e);
        }
        return rows;
    }

    /** Writes {@code text} to {@code target} through a temporary sibling and a rename. */
    static void writeAtomically(Path target, IoWriter body) {
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
            try (java.io.Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                body.write(w);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + abs + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the rename happened, or the failure was already reported
                }
            }
        }
    }

    @FunctionalInterface
    interface IoWriter {
        void write(java.io.Writer w) throws IOException;
    }
}
