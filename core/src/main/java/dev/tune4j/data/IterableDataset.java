package dev.tune4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Rows read lazily from a file each time they are iterated, holding one row in memory at a time:
 * datasets' {@code IterableDataset} ({@code load_dataset(..., streaming=True)}).
 *
 * <pre>{@code
 * try (Stream<Map<String, Object>> rows = Dataset.streamJsonl(Path.of("huge.jsonl")).stream()) {
 *     rows.filter(r -> r.get("text") != null).limit(1000).forEach(...);
 * }
 * }</pre>
 *
 * <p>{@link #stream()} must be closed (try-with-resources) when not read to the end; an
 * {@link #iterator()} closes its file when exhausted. A malformed line fails when it is reached,
 * naming the file and the line number.
 */
public final class IterableDataset implements Iterable<Map<String, Object>> {
    private final Supplier<Stream<Map<String, Object>>> source;

    private IterableDataset(Supplier<Stream<Map<String, Object>>> source) {
        this.source = source;
    }

    static IterableDataset jsonl(Path file) {
        Objects.requireNonNull(file, "file");
        return new IterableDataset(() -> {
            BufferedReader reader = DatasetIO.open(file);
            JsonlIterator it = new JsonlIterator(reader, file);
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
                    false).onClose(it::close);
        });
    }

    /** A fresh stream over the rows; close it when done. */
    public Stream<Map<String, Object>> stream() {
        return source.get();
    }

    /** Iterates all rows; the file is closed once the last row has been read. */
    @Override
    public Iterator<Map<String, Object>> iterator() {
        Stream<Map<String, Object>> s = stream();
        Iterator<Map<String, Object>> it = s.iterator();
        return new Iterator<>() {
            private boolean open = true;

            @Override
            public boolean hasNext() {
                if (!open) {
                    return false;
                }
                boolean more = it.hasNext();
                if (!more) {
                    open = false;
                    s.close();
                }
                return more;
            }

            @Override
            public Map<String, Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return it.next();
            }
        };
    }

    /** Lazily applies {@code fn} to every row and merges the returned columns into it (datasets {@code map}). */
    public IterableDataset map(Function<? super Map<String, Object>, ? extends Map<String, ?>> fn) {
        return new IterableDataset(() -> source.get().map(row -> {
            Map<String, ?> update = fn.apply(row);
            if (update == null) {
                throw new IllegalArgumentException("map function returned null; return an empty map to keep the row");
            }
            Map<String, Object> merged = new java.util.LinkedHashMap<>(row);
            merged.putAll(update);
            return java.util.Collections.unmodifiableMap(merged);
        }));
    }

    /** Lazily keeps the rows for which {@code predicate} holds. */
    public IterableDataset filter(Predicate<? super Map<String, Object>> predicate) {
        return new IterableDataset(() -> source.get().filter(predicate));
    }

    /** The first {@code n} rows. */
    public IterableDataset take(long n) {
        return new IterableDataset(() -> source.get().limit(n));
    }

    /** All rows but the first {@code n}. */
    public IterableDataset skip(long n) {
        return new IterableDataset(() -> source.get().skip(n));
    }

    /** Reads everything into an in-memory {@link Dataset}. */
    public Dataset toDataset() {
        try (Stream<Map<String, Object>> s = stream()) {
            return Dataset.fromList(s.toList());
        }
    }

    /** One JSON object per non-blank line, parsed on demand. */
    private static final class JsonlIterator implements Iterator<Map<String, Object>>, AutoCloseable {
        private final BufferedReader reader;
        private final Path file;
        private long lineNo;
        private Map<String, Object> next;
        private boolean done;

        JsonlIterator(BufferedReader reader, Path file) {
            this.reader = reader;
            this.file = file;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (done) {
                return false;
            }
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    lineNo++;
                    if (!line.isBlank()) {
                        next = java.util.Collections.unmodifiableMap(DatasetIO.parseJsonlLine(line, file, lineNo));
                        return true;
                    }
                }
            } catch (IOException e) {
                close();
                throw DatasetIO.readError(file, e);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            close();
            return false;
        }

        @Override
        public Map<String, Object> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Map<String, Object> r = next;
            next = null;
            return r;
        }

        @Override
        public void close() {
            done = true;
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + file, e);
            }
        }
    }
}
