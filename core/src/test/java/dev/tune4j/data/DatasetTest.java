package dev.tune4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static Dataset numbers(int n) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(Map.of("id", i));
        }
        return Dataset.fromList(rows);
    }

    private static List<Object> ids(Dataset d) {
        return d.column("id");
    }

    @Test
    void jsonlLoadsRowsAndFillsMissingColumnsWithNull() throws IOException {
        Path p = write("a.jsonl", "{\"text\": \"hi\", \"n\": 1}\n\n{\"text\": \"yo\", \"extra\": [1, 2]}\r\n");
        Dataset d = Dataset.fromJsonl(p);
        assertEquals(2, d.size());
        assertEquals(List.of("text", "n", "extra"), d.columnNames());
        assertEquals("yo", d.get(1).get("text"));
        assertEquals(1, d.get(0).get("n"));
        assertNull(d.get(1).get("n"));
        assertEquals(List.of(1, 2), d.get(1).get("extra"));
    }

    @Test
    void jsonlMalformedLineNamesItsNumber() throws IOException {
        Path p = write("bad.jsonl", "{\"a\": 1}\n{\"a\": 2}\n{\"a\": \n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dataset.fromJsonl(p));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("bad.jsonl"), e.getMessage());
        Path arr = write("arr.jsonl", "{\"a\": 1}\n[1, 2]\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Dataset.fromJsonl(arr)).getMessage()
                .contains("line 2"));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.jsonl");
        for (Runnable r : List.<Runnable>of(() -> Dataset.fromJsonl(missing), () -> Dataset.fromJson(missing),
                () -> Dataset.fromCsv(missing), () -> Dataset.fromText(missing),
                () -> Dataset.streamJsonl(missing).iterator())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
            assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("nope.jsonl"), e.getMessage());
        }
    }

    @Test
    void jsonArrayOrDataField() throws IOException {
        Dataset a = Dataset.fromJson(write("a.json", "[{\"q\": \"x\"}, {\"q\": \"y\"}]"));
        assertEquals(List.of("x", "y"), a.column("q"));
        Dataset b = Dataset.fromJson(write("b.json", "{\"version\": 2, \"meta\": {\"k\": [1]}, \"data\": [{\"q\": \"z\"}]}"));
        assertEquals(List.of("z"), b.column("q"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromJson(write("c.json", "[{\"q\": 1},\n {\"q\": 2,]")));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromJson(write("d.json", "{\"rows\": []}"))).getMessage().contains("\"data\""));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromJson(write("e.json", "[{\"q\": 1}, 5]"))).getMessage().contains("row 1"));
    }

    @Test
    void csvWithQuotingAndTypeInference() throws IOException {
        Path p = write("t.csv", "text,label,score\n\"hello, world\",1,0.5\n\"two\nlines\",2,\n\"say \"\"hi\"\"\",3,1e-3\n");
        Dataset d = Dataset.fromCsv(p);
        assertEquals(List.of("text", "label", "score"), d.columnNames());
        assertEquals(3, d.size());
        assertEquals("hello, world", d.get(0).get("text"));
        assertEquals("two\nlines", d.get(1).get("text"));
        assertEquals("say \"hi\"", d.get(2).get("text"));
        assertEquals(List.of(1, 2, 3), d.column("label"));
        assertEquals(0.5, d.get(0).get("score"));
        assertNull(d.get(1).get("score"));
        assertEquals(1e-3, d.get(2).get("score"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromCsv(write("bad.csv", "a,b\n1,2\n3,4,5\n")));
        assertTrue(e.getMessage().contains("bad.csv"), e.getMessage());
    }

    @Test
    void textKeepsEmptyLines() throws IOException {
        Dataset d = Dataset.fromText(write("t.txt", "first\n\nthird\r\nfourth"));
        assertEquals(List.of("first", "", "third", "fourth"), d.column("text"));
        assertEquals(List.of("text"), Dataset.fromText(write("e.txt", "")).columnNames());
    }

    @Test
    void mapSingleAndWithRemovedColumns() {
        Dataset d = Dataset.fromList(List.of(Map.of("text", "ab"), Map.of("text", "cde")));
        Dataset m = d.map(r -> Map.of("len", ((String) r.get("text")).length()));
        assertEquals(List.of("text", "len"), m.columnNames());
        assertEquals(List.of(2, 3), m.column("len"));
        Dataset idx = d.map((r, i) -> Map.of("i", i), List.of("text"));
        assertEquals(List.of("i"), idx.columnNames());
        assertEquals(List.of(0, 1), idx.column("i"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.map(r -> Map.of("x", ((String) r.get("missing")).length())));
        assertTrue(e.getMessage().contains("row 0"), e.getMessage());
    }

    @Test
    void mapBatchedMayChangeTheRowCountWhenInputsAreRemoved() {
        Dataset d = Dataset.fromList(List.of(Map.of("text", "a b"), Map.of("text", "c"), Map.of("text", "d e f")));
        // split every row into words: 6 rows from 3
        Dataset words = d.mapBatched(2, batch -> {
            List<Object> out = new ArrayList<>();
            for (Object t : batch.get("text")) {
                out.addAll(List.of(((String) t).split(" ")));
            }
            return Map.of("word", out);
        }, List.of("text"));
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), words.column("word"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.mapBatched(2,
                batch -> Map.of("word", List.of("x")), List.of()));
        assertTrue(e.getMessage().contains("'text'"), e.getMessage());
        Dataset upper = d.mapBatched(2, batch -> Map.of("up", batch.get("text").stream()
                .map(t -> ((String) t).toUpperCase()).toList()), List.of());
        assertEquals(List.of("text", "up"), upper.columnNames());
        assertEquals("D E F", upper.get(2).get("up"));
    }

    @Test
    void filterSelectTakeRenameRemove() {
        Dataset d = numbers(10);
        assertEquals(List.of(0, 2, 4, 6, 8), ids(d.filter(r -> (int) r.get("id") % 2 == 0)));
        assertEquals(List.of(7, 7, 1), ids(d.select(7, 7, 1)));
        assertThrows(IndexOutOfBoundsException.class, () -> d.select(10));
        assertEquals(3, d.take(3).size());
        Dataset r = d.renameColumn("id", "n");
        assertEquals(List.of("n"), r.columnNames());
        assertEquals(List.of(), d.removeColumns("id").columnNames());
        assertThrows(IllegalArgumentException.class, () -> d.column("nope"));
    }

    @Test
    void requireColumnsNamesRowAndField() {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(Map.of("instruction", "a", "output", "b"));
        rows.add(Map.of("instruction", "c"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromList(rows).requireColumns("instruction", "output"));
        assertEquals("row 1 is missing field 'output'", e.getMessage());
    }

    /**
     * The order is not numpy's (we cannot reproduce its PCG64 permutation), but a seed fixes it:
     * same seed, same order; another seed, another order; always a permutation.
     */
    @Test
    void shuffleIsADeterministicPermutation() {
        Dataset d = numbers(50);
        List<Object> a = ids(d.shuffle(42));
        assertEquals(a, ids(d.shuffle(42)));
        assertEquals(a, ids(numbers(50).shuffle(42)));
        assertNotEquals(a, ids(d.shuffle(43)));
        assertNotEquals(ids(d), a);
        assertEquals(new HashSet<>(ids(d)), new HashSet<>(a));
    }

    /** Sizes follow datasets' train_test_split: n_test = ceil(test*n), n_train = floor(train*n). */
    @Test
    void trainTestSplitSizesFollowDatasetsRounding() {
        assertSizes(numbers(10).trainTestSplit(0.25, 1), 7, 3);   // ceil(2.5) = 3
        assertSizes(numbers(7).trainTestSplit(0.3, 1), 4, 3);     // 0.3*7 = 2.0999999999999996 -> 3
        assertSizes(numbers(10).trainTestSplit(0.1, 1), 9, 1);
        assertSizes(numbers(3).trainTestSplit(0.5, 1), 1, 2);     // ceil(1.5) = 2
        assertSizes(numbers(10).trainTestSplit(4, 1), 6, 4);
        assertSizes(numbers(10).trainTestSplit(0.1, 0.55, true, 1), 5, 1); // floor(5.5) = 5
        assertSizes(numbers(10).trainTestSplit(null, 0.55, true, 1), 5, 5);
        assertSizes(numbers(10).trainTestSplit(null, null, true, 1), 7, 3);  // default test 0.25
        assertSizes(numbers(10).trainTestSplit(null, 8, true, 1), 8, 2);
        assertSplitError(() -> numbers(10).trainTestSplit(0.7, 0.5, true, 1), "(0, 1)");
        assertSplitError(() -> numbers(10).trainTestSplit(10, 1), "smaller than");
        assertSplitError(() -> numbers(10).trainTestSplit(0.0, 1), "(0, 1)");
        assertSplitError(() -> numbers(10).trainTestSplit(1.0, 1), "(0, 1)");
        assertSplitError(() -> numbers(10).trainTestSplit(0.99, 1), "empty");  // ceil(9.9) = 10 test rows
        assertSplitError(() -> numbers(10).trainTestSplit(6, 5, true, 1), "add up to 11");
    }

    @Test
    void trainTestSplitPartitionsWithAndWithoutShuffle() {
        Dataset d = numbers(20);
        DatasetSplit s = d.trainTestSplit(0.25, 7);
        Set<Object> all = new HashSet<>(ids(s.train()));
        all.addAll(ids(s.test()));
        assertEquals(20, all.size());
        // shuffled: test is the head of the permutation that shuffle(seed) uses, train its tail
        List<Object> perm = ids(d.shuffle(7));
        assertEquals(perm.subList(0, 5), ids(s.test()));
        assertEquals(perm.subList(5, 20), ids(s.train()));
        DatasetSplit plain = d.trainTestSplit(5, null, false, 0);
        assertEquals(IntStream.range(0, 15).boxed().collect(Collectors.toList()), ids(plain.train()));
        assertEquals(List.of(15, 16, 17, 18, 19), ids(plain.test()));
    }

    private static void assertSizes(DatasetSplit s, int train, int test) {
        assertEquals(train, s.train().size(), "train size");
        assertEquals(test, s.test().size(), "test size");
    }

    private static void assertSplitError(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void saveAndLoadFromDisk() throws IOException {
        Map<String, Object> r0 = new LinkedHashMap<>();
        r0.put("text", "héllo \"q\"\nx");
        r0.put("ids", List.of(1, 2, 3));
        r0.put("score", 0.25);
        Map<String, Object> r1 = new LinkedHashMap<>();
        r1.put("text", "b");
        r1.put("flag", true);
        Dataset d = Dataset.fromList(List.of(r0, r1));
        Path out = dir.resolve("saved");
        d.saveToDisk(out);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(Set.of("data.jsonl", "dataset_info.json"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()), "no temp files left");
        }
        Dataset back = Dataset.loadFromDisk(out);
        assertEquals(d.columnNames(), back.columnNames());
        assertEquals(d.get(0), back.get(0));
        assertEquals(d.get(1), back.get(1));
        d.take(1).saveToDisk(out); // overwrite in place
        assertEquals(1, Dataset.loadFromDisk(out).size());
        Files.writeString(out.resolve("data.jsonl"), "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Dataset.loadFromDisk(out)).getMessage()
                .contains("records 1 rows"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Dataset.loadFromDisk(dir.resolve("none")))
                .getMessage().contains("dataset_info.json"));
    }

    @Test
    void streamJsonlReadsLazilyAndReportsBadLinesWhenReached() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append("{\"id\": ").append(i).append("}\n");
        }
        sb.append("not json\n");
        Path p = write("big.jsonl", sb.toString());
        IterableDataset s = Dataset.streamJsonl(p);
        try (Stream<Map<String, Object>> rows = s.stream()) {
            assertEquals(List.of(0, 1, 2), rows.limit(3).map(r -> r.get("id")).toList());
        }
        assertEquals(List.of(10, 12), s.filter(r -> (int) r.get("id") % 2 == 0).skip(5).take(2).toDataset().column("id"));
        assertEquals(List.of(0, 2), s.map(r -> Map.of("double", 2 * (int) r.get("id"))).take(2).toDataset()
                .column("double"));
        Iterator<Map<String, Object>> it = s.iterator();
        int count = 0;
        IllegalArgumentException e = null;
        try {
            while (it.hasNext()) {
                it.next();
                count++;
            }
        } catch (IllegalArgumentException ex) {
            e = ex;
        }
        assertEquals(1000, count);
        assertTrue(e != null && e.getMessage().contains("line 1001"), String.valueOf(e));
        assertFalse(Dataset.streamJsonl(write("empty.jsonl", "\n")).iterator().hasNext());
    }
}
