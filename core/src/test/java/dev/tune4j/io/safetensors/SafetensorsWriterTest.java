package dev.tune4j.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir
    Path tmp;

    /** Every tensor of {@code f} as a view, in a map whose order differs from the file's. */
    private static Map<String, Tensor> views(SafetensorsFile f) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : f.keys().reversed()) {
            out.put(k, f.tensor(k));
        }
        return out;
    }

    private void assertSameBytes(Path expected, Path actual) throws Exception {
        long at = Files.mismatch(expected, actual);
        assertEquals(-1L, at, actual + " differs from " + expected + " at byte " + at);
    }

    @Test
    void rewritesGoldenLlamaModelByteForByte() throws Exception {
        Path original = SharedData.require("golden/llama_tiny/model.safetensors");
        Path copy = tmp.resolve("model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(original)) {
            SafetensorsWriter.write(copy, views(f), f.metadata());
        }
        assertSameBytes(original, copy);
    }

    @Test
    void rewritesGoldenExpectedFileMixingI64AndF32ByteForByte() throws Exception {
        Path original = SharedData.require("golden/llama_tiny/expected.safetensors");
        Path copy = tmp.resolve("expected.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(original)) {
            SafetensorsWriter.write(copy, views(f), null);
        }
        assertSameBytes(original, copy);
    }

    /** Every golden safetensors file (F32, I64, U8; with and without metadata) survives a rewrite unchanged. */
    @Test
    void rewritesEveryGoldenFileByteForByte() throws Exception {
        Path golden = SharedData.require("golden");
        List<Path> files;
        try (Stream<Path> s = Files.walk(golden)) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertTrue(files.size() >= 20, "found " + files.size());
        int i = 0;
        for (Path original : files) {
            Path copy = tmp.resolve("copy" + (i++) + ".safetensors");
            try (SafetensorsFile f = SafetensorsFile.open(original)) {
                SafetensorsWriter.write(copy, views(f), f.hasMetadata() ? f.metadata() : null);
            }
            assertSameBytes(original, copy);
        }
    }

    @Test
    void writesHeapF32TensorsByteForByte() throws Exception {
        Path original = SharedData.require("golden/llama_tiny/model.safetensors");
        Path copy = tmp.resolve("heap.safetensors");
        Map<String, Tensor> heap = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(original)) {
            for (String k : f.keys()) {
                heap.put(k, Tensor.of(f.tensor(k).toFloatArray(), f.info(k).shape()));
            }
        }
        assertTrue(heap.values().stream().allMatch(Tensor::isHeapF32));
        SafetensorsWriter.write(copy, heap, Map.of("format", "pt"));
        assertSameBytes(original, copy);
        assertArrayEquals(Files.readAllBytes(copy), SafetensorsWriter.serialize(heap, Map.of("format", "pt")));
    }

    /**
     * Layout of the Rust serializer: descending position in its dtype enum (BOOL, U8, I8,
     * F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64), then name; the
     * expected header is written out by hand from that rule.
     */
    @Test
    void ordersTensorsByDescendingDtypeThenName() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        DType[] all = DType.values();
        for (DType d : all) {
            tensors.put("a_" + d.name(), bytesOf(d, 1));
        }
        tensors.put("b_F32", bytesOf(DType.F32, 2));
        String expected = "{"
                + entry("a_U64", "U64", "1", 0, 8) + "," + entry("a_I64", "I64", "1", 8, 16) + ","
                + entry("a_F64", "F64", "1", 16, 24) + "," + entry("a_F32", "F32", "1", 24, 28) + ","
                + entry("b_F32", "F32", "2", 28, 36) + "," + entry("a_U32", "U32", "1", 36, 40) + ","
                + entry("a_I32", "I32", "1", 40, 44) + "," + entry("a_BF16", "BF16", "1", 44, 46) + ","
                + entry("a_F16", "F16", "1", 46, 48) + "," + entry("a_U16", "U16", "1", 48, 50) + ","
                + entry("a_I16", "I16", "1", 50, 52) + "," + entry("a_F8_E4M3", "F8_E4M3", "1", 52, 53) + ","
                + entry("a_F8_E5M2", "F8_E5M2", "1", 53, 54) + "," + entry("a_I8", "I8", "1", 54, 55) + ","
                + entry("a_U8", "U8", "1", 55, 56) + "," + entry("a_BOOL", "BOOL", "1", 56, 57) + "}";
        byte[] bytes = SafetensorsWriter.serialize(tensors, null);
        assertEquals(RawFiles.padded(expected), header(bytes));
        assertEquals(8 + RawFiles.padded(expected).length() + 57, bytes.length);
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + shape + "],\"data_offsets\":[" + begin
                + "," + end + "]}";
    }

    private static Tensor bytesOf(DType d, int numel) {
        byte[] b = new byte[numel * d.byteSize()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i + 1);
        }
        return Tensor.wrap(MemorySegment.ofArray(b), d, numel);
    }

    private static String header(byte[] file) {
        long n = MemorySegment.ofArray(file).get(Tensor.LE_LONG, 0);
        return new String(file, 8, (int) n, StandardCharsets.UTF_8);
    }

    /** serde_json escaping: quote, backslash and control characters escaped; DEL and non-ASCII raw UTF-8. */
    @Test
    void escapesNamesAndMetadataAsSerdeJson() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("q\"b\\s\n\t\u0001\u007fé😀", bytesOf(DType.U8, 1));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("z", "1");
        metadata.put("a", "line\r\nnext\b\f");
        String expected = "{\"__metadata__\":{\"z\":\"1\",\"a\":\"line\\r\\nnext\\b\\f\"},"
                + "\"q\\\"b\\\\s\\n\\t\\u0001\u007fé😀\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        byte[] bytes = SafetensorsWriter.serialize(tensors, metadata);
        assertEquals(RawFiles.padded(expected), header(bytes));
        SafetensorsFile f = SafetensorsFile.fromSegment(MemorySegment.ofArray(bytes), "escaped");
        assertEquals(List.of("q\"b\\s\n\t\u0001\u007fé😀"), f.keys());
        assertEquals(metadata, f.metadata());
        assertEquals(List.of("z", "a"), List.copyOf(f.metadata().keySet()));
    }

    @Test
    void metadataAbsentEmptyAndNoTensors() {
        assertEquals("{}      ", header(SafetensorsWriter.serialize(Map.of(), null)));
        assertEquals("{\"__metadata__\":{}}     ", header(SafetensorsWriter.serialize(Map.of(), Map.of())));
        assertEquals(16, SafetensorsWriter.serialize(Map.of(), null).length);
    }

    @Test
    void sortsNamesByCodePointLikeRust() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("😀", bytesOf(DType.U8, 1));   // U+1F600, UTF-16 D83D DE00
        tensors.put("\uffff", bytesOf(DType.U8, 1));
        tensors.put("z", bytesOf(DType.U8, 1));
        SafetensorsFile f = SafetensorsFile.fromSegment(MemorySegment.ofArray(SafetensorsWriter.serialize(tensors, null)), "t");
        // Python: sorted(['\uffff', '\U0001F600', 'z']) == ['z', '\uffff', '😀']
        assertEquals(List.of("z", "\uffff", "😀"), f.keys());
        assertEquals(0, f.info("z").begin());
        assertEquals(1, f.info("\uffff").begin());
        assertEquals(2, f.info("😀").begin());
    }

    /** Tensors bigger than the 8 MiB copy chunk, heap and segment, in several dtypes, come back bit for bit. */
    @Test
    void streamsTensorsLargerThanOneChunk() throws Exception {
        float[] big = new float[3_000_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = Float.intBitsToFloat(0x3f800000 + i * 7);
        }
        byte[] bytes = new byte[9_000_003];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 5);
        }
        byte[] halves = new byte[2 * 4_500_001];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = (byte) (i * 13);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("big", Tensor.of(big, 3_000_001));
        tensors.put("bytes", Tensor.wrap(MemorySegment.ofArray(bytes), DType.U8, 9_000_003));
        tensors.put("halves", Tensor.wrap(MemorySegment.ofArray(halves), DType.BF16, 4_500_001));
        tensors.put("longs", Tensor.ofLongs(new long[] {1, -1, Long.MIN_VALUE}, 3));
        Path out = tmp.resolve("big.safetensors");
        SafetensorsWriter.write(out, tensors, Map.of("format", "pt"));
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            Tensor b = f.tensor("big");
            for (int i = 0; i < big.length; i++) {
                if (Float.floatToRawIntBits(big[i]) != Float.floatToRawIntBits(b.getFloat(i))) {
                    throw new AssertionError("big[" + i + "]");
                }
            }
            assertArrayEquals(bytes, f.tensor("bytes").segment().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(halves, f.tensor("halves").segment().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(new long[] {1, -1, Long.MIN_VALUE}, f.tensor("longs").toLongArray());
            assertEquals(Files.size(out), f.dataStart() + 12_000_004L + 9_000_003L + 9_000_002L + 24L);
            // Rewriting the mapped views (written straight from the mapping) reproduces the file.
            Path again = tmp.resolve("again.safetensors");
            SafetensorsWriter.write(again, views(f), f.metadata());
            assertSameBytes(out, again);
        }
    }

    @Test
    void failedWriteLeavesTargetAndFolderUntouched() throws Exception {
        Path target = tmp.resolve("model.safetensors");
        Files.writeString(target, "previous content");
        Path src = tmp.resolve("src.safetensors");
        Map<String, Tensor> small = Map.of("x", Tensor.of(new float[] {1, 2}, 2));
        SafetensorsWriter.write(src, small, null);
        SafetensorsFile f = SafetensorsFile.open(src);
        Tensor stale = f.tensor("x");
        f.close();
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> SafetensorsWriter.write(target, Map.of("x", stale), null));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        // Same for a tensor large enough to be written straight from its mapping.
        SafetensorsWriter.write(src, Map.of("y", Tensor.zeros(1 << 20)), null);
        SafetensorsFile g = SafetensorsFile.open(src);
        Tensor staleBig = g.tensor("y");
        g.close();
        e = assertThrows(SafetensorsException.class, () -> SafetensorsWriter.write(target, Map.of("y", staleBig), null));
        assertTrue(e.getMessage().contains("'y'"), e.getMessage());
        assertEquals("previous content", Files.readString(target));
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        assertEquals(List.of("model.safetensors", "src.safetensors"), names);
    }

    @Test
    void overwritesAFileThatIsStillMapped() throws Exception {
        Path p = tmp.resolve("m.safetensors");
        SafetensorsWriter.write(p, Map.of("x", Tensor.of(new float[] {1, 2}, 2)), null);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            Tensor x = f.tensor("x");
            Map<String, Tensor> doubled = Map.of("x", Tensor.of(new float[] {x.getFloat(0) * 2, x.getFloat(1) * 2}, 2));
            SafetensorsWriter.write(p, doubled, null);
            assertArrayEquals(new float[] {1, 2}, x.toFloatArray()); // the old mapping still holds the old bytes
        }
        assertArrayEquals(new float[] {2, 4}, Safetensors.load(p).get("x").toFloatArray());
    }

    @Test
    void rejectsReservedAndNullEntries() {
        Path p = tmp.resolve("x.safetensors");
        Tensor t = Tensor.of(new float[] {1}, 1);
        assertThrows(SafetensorsException.class, () -> SafetensorsWriter.write(p, Map.of("__metadata__", t), null));
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("a", null);
        assertThrows(SafetensorsException.class, () -> SafetensorsWriter.write(p, withNull, null));
        assertThrows(SafetensorsException.class, () -> SafetensorsWriter.write(p, Map.of("bad\ud800", t), null));
        assertTrue(Files.notExists(p));
    }

    @Test
    void loadCopiesIntoTheHeapAndSaveRoundTrips() throws Exception {
        Path p = tmp.resolve("a.safetensors");
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("w", Tensor.of(new float[] {0.5f, -1f, 3f, Float.NaN}, 2, 2));
        in.put("ids", Tensor.ofLongs(new long[] {7, 8}, 2));
        in.put("h", Tensor.of(new float[] {1.5f, -2f}, 2).to(DType.F16));
        Safetensors.save(p, in, Map.of("format", "pt"));
        Map<String, Tensor> out = Safetensors.load(p);
        assertEquals(List.of("h", "ids", "w"), List.copyOf(out.keySet()));
        assertTrue(out.get("w").isHeapF32());
        assertArrayEquals(new int[] {2, 2}, out.get("w").shape());
        assertArrayEquals(in.get("w").toFloatArray(), out.get("w").toFloatArray());
        assertArrayEquals(new long[] {7, 8}, out.get("ids").toLongArray());
        assertEquals(DType.F16, out.get("h").dtype());
        assertArrayEquals(new float[] {1.5f, -2f}, out.get("h").toFloatArray());
    }

    @Test
    void parsesShardSizesAsHuggingfaceHub() {
        assertEquals(5_000_000_000L, SafetensorsWriter.parseShardSize("5GB"));
        assertEquals(1_500_000L, SafetensorsWriter.parseShardSize(" 1.5mb "));
        assertEquals(200_000L, SafetensorsWriter.parseShardSize("200KB"));
        assertEquals(2_000_000_000_000L, SafetensorsWriter.parseShardSize("2TB"));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.parseShardSize("5GiB"));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.parseShardSize("xGB"));
    }

    /** The result gets the folder's default permissions, like any file a program creates, not a temp file's 0600. */
    @Test
    void writtenFileHasDefaultPermissions() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                tmp.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
        Path reference = Files.writeString(tmp.resolve("reference.txt"), "x");
        Path written = tmp.resolve("w.safetensors");
        SafetensorsWriter.write(written, Map.of("x", Tensor.of(new float[] {1}, 1)), null);
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(written));
    }
}
