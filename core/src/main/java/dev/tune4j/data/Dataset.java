package dev.tune4j.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An in-memory table of rows, each a {@code Map<String, Object>} of column name to value (the
 * JSON types: String, Integer, Long, Double, Boolean, List, Map, or null): datasets'
 * {@code Dataset}.
 *
 * <p>Every row has every column; a row that lacks one holds null there, as datasets fills None.
 * Datasets are immutable: {@link #map}, {@link #filter}, {@link #shuffle} and the rest return a
 * new dataset that shares the unchanged rows. Values inside a row (lists, maps) are not deep
 * copied; do not mutate them.
 *
 * <pre>{@code
 * // datasets: ds = load_dataset("json", data_files="train.jsonl")["train"]
 * Dataset ds = Dataset.fromJsonl(Path.of("train.jsonl"));
 * DatasetSplit split = ds.shuffle(42).trainTestSplit(0.1, 42);
 * Dataset tokenized = split.train().map(row -> Map.of("input_ids", tok.encode((String) row.get("text"))));
 * }</pre>
 *
 * <p>For files larger than memory use {@link #streamJsonl(Path)}.
 */
public final class Dataset implements Iterable<Map<String, Object>> {
    static final String INFO_FILE = "dataset_info.json";
    static final String DATA_FILE = "data.jsonl";
    private static final String FORMAT = "tune4j-jsonl";

    private final List<Map<String, Object>> rows;
    private final List<String> columns;

    private Dataset(List<Map<String, Object>> rows, List<String> columns) {
        this.rows = rows;
        this.columns = columns;
    }

    /** Normalises rows: union of keys in first-seen order, missing values null, rows unmodifiable. */
    private static Dataset of(List<? extends Map<String, ?>> input) {
        Set<String> cols = new LinkedHashSet<>();
        for (int i = 0; i < input.size(); i++) {
            Map<String, ?> r = input.get(i);
            if (r == null) {
                throw new IllegalArgumentException("row " + i + " is null");
            }
            for (Object k : r.keySet()) {
                if (!(k instanceof String)) {
                    throw new IllegalArgumentException("row " + i + ": column names must be strings, found " + k);
                }
            }
            cols.addAll(r.keySet());
        }
        List<String> columns = List.copyOf(cols);
        List<Map<String, Object>> out = new ArrayList<>(input.size());
        for (Map<String, ?> r : input) {
            out.add(normalise(r, columns));
        }
        return new Dataset(Collections.unmodifiableList(out), columns);
    }

    private static Map<String, Object> normalise(Map<String, ?> r, List<String> columns) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String c : columns) {
            m.put(c, r.get(c));
        }
        return Collections.unmodifiableMap(m);
    }

    /** datasets {@code Dataset.from_list}: one map per row. */
    public static Dataset fromList(List<? extends Map<String, ?>> rows) {
        return of(Objects.requireNonNull(rows, "rows"));
    }

    /**
     * datasets {@code Dataset.from_dict}: columns of equal length.
     *
     * @throws IllegalArgumentException naming the column whose length differs
     */
    public static Dataset fromDict(Map<String, ? extends List<?>> columns) {
        int n = -1;
        String first = null;
        for (Map.Entry<String, ? extends List<?>> e : columns.entrySet()) {
            if (n >= 0 && e.getValue().size() != n) {
                throw new IllegalArgumentException("column '" + e.getKey() + "' has " + e.getValue().size()
                        + " values but column '" + first + "' has " + n);
            }
            if (n < 0) {
                n = e.getValue().size();
                first = e.getKey();
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < Math.max(n, 0); i++) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (Map.Entry<String, ? extends List<?>> e : columns.entrySet()) {
                r.put(e.getKey(), e.getValue().get(i));
            }
            rows.add(r);
        }
        Dataset d = of(rows);
        return rows.isEmpty() ? new Dataset(List.of(), List.copyOf(columns.keySet())) : d;
    }

    /**
     * A JSON file holding an array of row objects, or an object with the rows in {@code "data"}
     * (datasets' {@code load_dataset("json", field="data")}).
     *
     * @throws IllegalArgumentException for a missing file or malformed JSON, naming file and line
     */
    public static Dataset fromJson(Path file) {
        return fromJson(file, "data");
    }

    /** A JSON file whose rows are an array, or an array under {@code field} of a top-level object. */
    public static Dataset fromJson(Path file, String field) {
        return of(DatasetIO.readJson(file, field));
    }

    /**
     * A JSON Lines file: one object per line, blank lines skipped.
     *
     * @throws IllegalArgumentException for a missing file, or a malformed line (naming its number)
     */
    public static Dataset fromJsonl(Path file) {
        return of(DatasetIO.readJsonl(file));
    }

    /**
     * A CSV file with a header row (RFC 4180 quoting). Columns whose cells are all integers or all
     * numbers are parsed as such, as pandas does for datasets' csv loader; empty cells are null.
     */
    public static Dataset fromCsv(Path file) {
        return of(DatasetIO.readCsv(file));
    }

    /** A text file, one row {@code {"text": line}} per line, empty lines included (datasets' text loader). */
    public static Dataset fromText(Path file) {
        List<Map<String, Object>> rows = DatasetIO.readText(file);
        return rows.isEmpty() ? new Dataset(List.of(), List.of("text")) : of(rows);
    }

    /**
     * A JSON Lines file read lazily, row by row, each time it is iterated: for files larger than
     * memory (datasets' {@code streaming=True}).
     */
    public static IterableDataset streamJsonl(Path file) {
        return IterableDataset.jsonl(file);
    }

    /** Number of rows ({@code len(ds)}). */
    public int size() {
        return rows.size();
    }

    /** Row {@code index} ({@code ds[i]}). */
    public Map<String, Object> get(int index) {
        Objects.checkIndex(index, rows.size());
        return rows.get(index);
    }

    /** The column names in order ({@code ds.column_names}). */
    public List<String> columnNames() {
        return columns;
    }

    /** The values of one column ({@code ds["text"]}). */
    public List<Object> column(String name) {
        requireColumn(name);
        List<Object> out = new ArrayList<>(rows.size());
        for (Map<String, Object> r : rows) {
            out.add(r.get(name));
        }
        return Collections.unmodifiableList(out);
    }

    private void requireColumn(String name) {
        if (!columns.contains(name)) {
            throw new IllegalArgumentException("dataset has no column '" + name + "'; it has " + columns);
        }
    }

    /**
     * Checks that every row has a non-null value in each of {@code names}.
     *
     * @return this dataset
     * @throws IllegalArgumentException naming the first row index and field that is missing
     */
    public Dataset requireColumns(String... names) {
        for (String n : names) {
            requireColumn(n);
        }
        for (int i = 0; i < rows.size(); i++) {
            for (String n : names) {
                if (rows.get(i).get(n) == null) {
                    throw new IllegalArgumentException("row " + i + " is missing field '" + n + "'");
                }
            }
        }
        return this;
    }

    @Override
    public Iterator<Map<String, Object>> iterator() {
        return rows.iterator();
    }

    /** The rows as a stream. */
    public Stream<Map<String, Object>> stream() {
        return rows.stream();
    }

    /**
     * datasets {@code map(fn)}: {@code fn} returns the columns to add or overwrite, merged into
     * the row. New columns follow the returned map's iteration order: return a
     * {@code LinkedHashMap} (not {@code Map.of} with several keys) for a fixed column order.
     */
    public Dataset map(Function<? super Map<String, Object>, ? extends Map<String, ?>> fn) {
        return map((row, i) -> fn.apply(row), List.of());
    }

    /**
     * datasets {@code map(fn, with_indices=True, remove_columns=...)}: {@code fn} gets the row and
     * its index; {@code removeColumns} are dropped from the input row before the update merges.
     *
     * @throws IllegalArgumentException naming the row whose function failed or returned null
     */
    public Dataset map(BiFunction<? super Map<String, Object>, Integer, ? extends Map<String, ?>> fn,
                       List<String> removeColumns) {
        for (String c : removeColumns) {
            requireColumn(c);
        }
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Map<String, ?> update = applyRow(fn, i);
            Map<String, Object> r = new LinkedHashMap<>(rows.get(i));
            removeColumns.forEach(r::remove);
            r.putAll(update);
            out.add(r);
        }
        return of(out);
    }

    private Map<String, ?> applyRow(BiFunction<? super Map<String, Object>, Integer, ? extends Map<String, ?>> fn, int i) {
        Map<String, ?> update;
        try {
            update = fn.apply(rows.get(i), i);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("map function failed on row " + i + ": " + e.getMessage(), e);
        }
        if (update == null) {
            throw new IllegalArgumentException("map function returned null for row " + i
                    + "; return an empty map to leave the row unchanged");
        }
        return update;
    }

    /**
     * datasets {@code map(fn, batched=True, batch_size=..., remove_columns=...)}: {@code fn} gets
     * up to {@code batchSize} rows as columns ({@code name -> values}) and returns columns of one
     * common length. It may return a different number of rows than it got (to split or pack
     * examples), provided every input column is either removed or returned.
     *
     * @throws IllegalArgumentException naming the batch and the column at fault
     */
    public Dataset mapBatched(int batchSize, Function<Map<String, List<Object>>, ? extends Map<String, ? extends List<?>>> fn,
                              List<String> removeColumns) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, found " + batchSize);
        }
        for (String c : removeColumns) {
            requireColumn(c);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int start = 0; start < rows.size(); start += batchSize) {
            int end = Math.min(rows.size(), start + batchSize);
            Map<String, List<Object>> in = new LinkedHashMap<>();
            for (String c : columns) {
                List<Object> vals = new ArrayList<>(end - start);
                for (int i = start; i < end; i++) {
                    vals.add(rows.get(i).get(c));
                }
                in.put(c, Collections.unmodifiableList(vals));
            }
            Map<String, ? extends List<?>> res;
            try {
                res = fn.apply(Collections.unmodifiableMap(in));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("batched map function failed on rows " + start + ".." + (end - 1)
                        + ": " + e.getMessage(), e);
            }
            if (res == null) {
                throw new IllegalArgumentException("batched map function returned null for rows " + start + ".." + (end - 1));
            }
            int len = -1;
            String firstCol = null;
            for (Map.Entry<String, ? extends List<?>> e : res.entrySet()) {
                int n = e.getValue().size();
                if (len >= 0 && n != len) {
                    throw new IllegalArgumentException("batched map on rows " + start + ".." + (end - 1) + ": column '"
                            + e.getKey() + "' has " + n + " values but '" + firstCol + "' has " + len);
                }
                if (len < 0) {
                    len = n;
                    firstCol = e.getKey();
                }
            }
            int inRows = end - start;
            if (len < 0) {
                len = inRows; // an empty result leaves the rows as they were
            }
            if (len != inRows) {
                for (String c : columns) {
                    if (!removeColumns.contains(c) && !res.containsKey(c)) {
                        throw new IllegalArgumentException("batched map on rows " + start + ".." + (end - 1)
                                + " returned " + len + " rows for " + inRows + ", so input column '" + c
                                + "' cannot be kept: remove it (removeColumns) or return it");
                    }
                }
            }
            for (int j = 0; j < len; j++) {
                Map<String, Object> r = new LinkedHashMap<>();
                if (len == inRows) {
                    r.putAll(rows.get(start + j));
                    removeColumns.forEach(r::remove);
                }
                for (Map.Entry<String, ? extends List<?>> e : res.entrySet()) {
                    r.put(e.getKey(), e.getValue().get(j));
                }
                out.add(r);
            }
        }
        return out.isEmpty() ? new Dataset(List.of(), remainingColumns(removeColumns)) : of(out);
    }

    private List<String> remainingColumns(List<String> removed) {
        List<String> c = new ArrayList<>(columns);
        c.removeAll(removed);
        return List.copyOf(c);
    }

    /** datasets {@code filter(fn)}: the rows for which {@code predicate} holds. */
    public Dataset filter(Predicate<? super Map<String, Object>> predicate) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            boolean keep;
            try {
                keep = predicate.test(rows.get(i));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("filter predicate failed on row " + i + ": " + e.getMessage(), e);
            }
            if (keep) {
                out.add(rows.get(i));
            }
        }
        return new Dataset(Collections.unmodifiableList(out), columns);
    }

    /**
     * The rows in a random order determined by {@code seed}: the same seed gives the same order on
     * every JVM. The permutation is {@code Collections.shuffle} with {@code java.util.Random(seed)},
     * not numpy's PCG64, so it differs from datasets' order for the same seed.
     */
    public Dataset shuffle(long seed) {
        return select(permutation(rows.size(), seed));
    }

    static int[] permutation(int n, long seed) {
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx.get(i);
        }
        return out;
    }

    /**
     * datasets {@code select(indices)}: the rows at {@code indices}, in that order (repeats allowed).
     *
     * @throws IndexOutOfBoundsException naming the bad index
     */
    public Dataset select(int... indices) {
        List<Map<String, Object>> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            if (i < 0 || i >= rows.size()) {
                throw new IndexOutOfBoundsException("select index " + i + " is out of range for " + rows.size() + " rows");
            }
            out.add(rows.get(i));
        }
        return new Dataset(Collections.unmodifiableList(out), columns);
    }

    /** {@link #select(int...)} with a list. */
    public Dataset select(List<Integer> indices) {
        return select(indices.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The first {@code n} rows (or all when fewer). */
    public Dataset take(int n) {
        return new Dataset(rows.subList(0, Math.min(Math.max(n, 0), rows.size())), columns);
    }

    /** datasets {@code remove_columns}. */
    public Dataset removeColumns(String... names) {
        List<String> removed = List.of(names);
        for (String n : removed) {
            requireColumn(n);
        }
        List<String> keep = remainingColumns(removed);
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (Map<String, Object> r : rows) {
            out.add(normalise(r, keep));
        }
        return new Dataset(Collections.unmodifiableList(out), keep);
    }

    /** datasets {@code rename_column}. */
    public Dataset renameColumn(String from, String to) {
        requireColumn(from);
        if (!from.equals(to) && columns.contains(to)) {
            throw new IllegalArgumentException("cannot rename '" + from + "' to '" + to + "': that column exists");
        }
        List<String> cols = new ArrayList<>(columns);
        cols.set(cols.indexOf(from), to);
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (Map<String, Object> r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : r.entrySet()) {
                m.put(e.getKey().equals(from) ? to : e.getKey(), e.getValue());
            }
            out.add(Collections.unmodifiableMap(m));
        }
        return new Dataset(Collections.unmodifiableList(out), List.copyOf(cols));
    }

    /**
     * datasets {@code train_test_split(test_size=fraction, seed=seed)}: {@code ceil(testSize * n)}
     * rows for test, the rest for train, from a seeded shuffle.
     */
    public DatasetSplit trainTestSplit(double testSize, long seed) {
        return trainTestSplit(testSize, null, true, seed);
    }

    /** datasets {@code train_test_split(test_size=count, seed=seed)}: exactly {@code testSize} test rows. */
    public DatasetSplit trainTestSplit(int testSize, long seed) {
        return trainTestSplit(testSize, null, true, seed);
    }

    /**
     * datasets {@code train_test_split(test_size, train_size, shuffle, seed)} with its sizing and
     * checks: a {@link Double} size is a fraction in (0, 1), an {@link Integer} a row count in
     * (0, n); {@code n_test = ceil(test * n)}, {@code n_train = floor(train * n)}; a null size is
     * the complement of the other, and both null mean a test fraction of 0.25. With shuffling, the
     * test rows are the first {@code n_test} of the permutation and train the next
     * {@code n_train}; without, train is the first {@code n_train} rows and test the next
     * {@code n_test}. The permutation is that of {@link #shuffle(long)}, not numpy's.
     *
     * @param testSize a Double fraction, an Integer count, or null
     * @param trainSize a Double fraction, an Integer count, or null
     * @throws IllegalArgumentException with datasets' conditions: a size out of range, sizes that
     *     add up to more than the dataset, or an empty train set
     */
    public DatasetSplit trainTestSplit(Number testSize, Number trainSize, boolean shuffle, long seed) {
        int n = rows.size();
        if (n == 0) {
            return new DatasetSplit(this, this);
        }
        if (testSize == null && trainSize == null) {
            testSize = 0.25;
        }
        checkSize("testSize", testSize, n);
        checkSize("trainSize", trainSize, n);
        if (testSize instanceof Double te && trainSize instanceof Double tr && te + tr > 1) {
            throw new IllegalArgumentException("testSize + trainSize = " + (te + tr)
                    + " should be in the (0, 1) range; reduce testSize and/or trainSize");
        }
        long nTest = 0;
        long nTrain = 0;
        if (testSize instanceof Double te) {
            nTest = (long) Math.ceil(te * n);
        } else if (testSize != null) {
            nTest = testSize.longValue();
        }
        if (trainSize instanceof Double tr) {
            nTrain = (long) Math.floor(tr * n);
        } else if (trainSize != null) {
            nTrain = trainSize.longValue();
        }
        if (trainSize == null) {
            nTrain = n - nTest;
        } else if (testSize == null) {
            nTest = n - nTrain;
        }
        if (nTrain + nTest > n) {
            throw new IllegalArgumentException("train and test sizes add up to " + (nTrain + nTest)
                    + ", more than the " + n + " rows; reduce testSize and/or trainSize");
        }
        if (nTrain == 0) {
            throw new IllegalArgumentException("with " + n + " rows, testSize=" + testSize + " and trainSize="
                    + trainSize + " the train set would be empty; adjust them");
        }
        int[] train = new int[(int) nTrain];
        int[] test = new int[(int) nTest];
        if (!shuffle) {
            for (int i = 0; i < nTrain; i++) {
                train[i] = i;
            }
            for (int i = 0; i < nTest; i++) {
                test[i] = (int) nTrain + i;
            }
        } else {
            int[] perm = permutation(n, seed);
            System.arraycopy(perm, 0, test, 0, test.length);
            System.arraycopy(perm, test.length, train, 0, train.length);
        }
        return new DatasetSplit(select(train), select(test));
    }

    private static void checkSize(String name, Number size, int n) {
        if (size == null) {
            return;
        }
        if (size instanceof Double || size instanceof Float) {
            double d = size.doubleValue();
            if (!(d > 0 && d < 1)) {
                throw new IllegalArgumentException(name + "=" + size + " should be a fraction in the (0, 1) range"
                        + " or a row count in (0, " + n + ")");
            }
        } else if (size instanceof Integer || size instanceof Long || size instanceof Short) {
            long v = size.longValue();
            if (v <= 0 || v >= n) {
                throw new IllegalArgumentException(name + "=" + size + " should be positive and smaller than the number"
                        + " of rows " + n + ", or a fraction in the (0, 1) range");
            }
        } else {
            throw new IllegalArgumentException(name + " must be a Double fraction or an Integer count, found "
                    + size.getClass().getSimpleName());
        }
    }

    /**
     * Saves to {@code dir} as {@code data.jsonl} plus a small {@code dataset_info.json}. Each file
     * is written to a temporary sibling and renamed; the info, written last, records the row count
     * that {@link #loadFromDisk(Path)} checks. This is tune4j's own layout, not datasets' Arrow one.
     */
    public void saveToDisk(Path dir) {
        Path data = dir.resolve(DATA_FILE);
        DatasetIO.writeAtomically(data, w -> {
            for (Map<String, Object> r : rows) {
                w.write(DatasetIO.JSON.writeValueAsString(r));
                w.write('\n');
            }
        });
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("format", FORMAT);
        info.put("version", 1);
        info.put("num_rows", rows.size());
        info.put("column_names", columns);
        info.put("data_files", List.of(DATA_FILE));
        DatasetIO.writeAtomically(dir.resolve(INFO_FILE), w ->
                w.write(DatasetIO.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n"));
    }

    /**
     * Loads a dataset written by {@link #saveToDisk(Path)}.
     *
     * @throws IllegalArgumentException if the folder, its info or its data is missing, or the row
     *     count disagrees with the info
     */
    public static Dataset loadFromDisk(Path dir) {
        Path infoFile = dir.resolve(INFO_FILE);
        JsonNode info;
        try {
            info = DatasetIO.JSON.readTree(Files.readString(infoFile));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no saved dataset in " + dir + ": " + INFO_FILE + " not found", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(infoFile + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + infoFile + ": " + e.getMessage(), e);
        }
        if (!info.isObject() || !FORMAT.equals(info.path("format").asText())) {
            throw new IllegalArgumentException(infoFile + ": expected \"format\": \"" + FORMAT + "\", found "
                    + info.path("format"));
        }
        Dataset d = fromJsonl(dir.resolve(DATA_FILE));
        int expected = info.path("num_rows").asInt(-1);
        if (expected != d.size()) {
            throw new IllegalArgumentException(dir + ": " + INFO_FILE + " records " + expected + " rows but "
                    + DATA_FILE + " has " + d.size());
        }
        List<String> cols = new ArrayList<>();
        info.path("column_names").forEach(c -> cols.add(c.asText()));
        if (d.size() == 0) {
            return new Dataset(List.of(), List.copyOf(cols));
        }
        // keep the saved column order even when early rows lacked a column
        List<Map<String, Object>> out = new ArrayList<>(d.size());
        Set<String> all = new LinkedHashSet<>(cols);
        all.addAll(d.columns);
        List<String> order = List.copyOf(all);
        for (Map<String, Object> r : d.rows) {
            out.add(normalise(r, order));
        }
        return new Dataset(Collections.unmodifiableList(out), order);
    }

    @Override
    public String toString() {
        return "Dataset{columns=" + columns + ", num_rows=" + rows.size() + "}";
    }
}
