package dev.tune4j.io.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tensor.DType;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    @Test
    void readsGoldenLlamaWeights() {
        Path model = SharedData.require("golden/llama_tiny/model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(model)) {
            assertEquals(21, f.size());
            assertEquals("lm_head.weight", f.keys().getFirst());
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertTrue(f.hasMetadata());
            // Values decoded independently with Python's struct module.
            Tensor norm = f.tensor("model.norm.weight");
            assertArrayEquals(new int[] {64}, norm.shape());
            assertEquals(DType.F32, norm.dtype());
            assertEquals(0.9766901731491089f, norm.getFloat(0));
            assertEquals(1.1557996273040771f, norm.getFloat(1));
            assertEquals(0.8849904537200928f, norm.getFloat(63));
            Tensor head = f.tensor("lm_head.weight");
            assertArrayEquals(new int[] {512, 64}, head.shape());
            assertEquals(0.08701026439666748f, head.getFloat(0));
            assertEquals(0.08828336745500565f, head.getFloat(512 * 64 - 1));
            TensorInfo info = f.info("lm_head.weight");
            assertEquals(0, info.begin());
            assertEquals(131072, info.end());
            assertEquals(8 + 2144, f.dataStart());
        }
    }

    @Test
    void keysAreSortedAndMatchTheHeader() throws Exception {
        Path model = SharedData.require("golden/llama_tiny/model.safetensors");
        byte[] raw = Files.readAllBytes(model);
        JsonNode header = new ObjectMapper().readTree(new String(raw, 8, 2144, java.nio.charset.StandardCharsets.UTF_8));
        List<String> expected = new java.util.ArrayList<>();
        header.fieldNames().forEachRemaining(expected::add);
        expected.remove("__metadata__");
        expected.sort(null); // ASCII names: UTF-16 order equals code point order here
        try (SafetensorsFile f = SafetensorsFile.open(model)) {
            assertEquals(expected, f.keys());
            for (String k : expected) {
                JsonNode e = header.get(k);
                TensorInfo info = f.info(k);
                assertEquals(e.get("dtype").asText(), info.dtype().safetensorsName(), k);
                assertEquals(e.get("data_offsets").get(0).asLong(), info.begin(), k);
                assertEquals(e.get("data_offsets").get(1).asLong(), info.end(), k);
                assertEquals(e.get("shape").size(), info.shape().length, k);
            }
        }
    }

    @Test
    void readsGoldenIntegerInputsWithoutMetadata() throws Exception {
        Path expected = SharedData.require("golden/llama_tiny/expected.safetensors");
        JsonNode inputs = new ObjectMapper().readTree(SharedData.require("golden/llama_tiny/expected.json").toFile())
                .get("inputs");
        try (SafetensorsFile f = SafetensorsFile.open(expected)) {
            assertFalse(f.hasMetadata());
            assertEquals(Map.of(), f.metadata());
            for (String key : List.of("input_ids_1", "input_ids_3", "attention_mask_3", "position_ids_3")) {
                Tensor t = f.tensor(key);
                assertEquals(DType.I64, t.dtype());
                long[] values = t.toLongArray();
                int i = 0;
                JsonNode node = inputs.get(key);
                for (JsonNode row : node.get(0).isArray() ? node : List.of(node)) {
                    for (JsonNode v : row) {
                        assertEquals(v.asLong(), values[i++], key + "[" + (i - 1) + "]");
                    }
                }
                assertEquals(values.length, i, key);
            }
        }
    }

    /** One tensor of every dtype, bytes and expected values written out by hand. */
    @Test
    void decodesEveryDtype() throws Exception {
        String header = "{\"__metadata__\":{\"a\":\"1\",\"b\":\"x\"},"
                + "\"u64\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"i64\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"f64\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]},"
                + "\"f32\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[24,28]},"
                + "\"u32\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[28,32]},"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[32,36]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[36,40]},"
                + "\"f16\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[40,44]},"
                + "\"u16\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[44,46]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[46,48]},"
                + "\"e4m3\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[48,50]},"
                + "\"e5m2\":{\"dtype\":\"F8_E5M2\",\"shape\":[2],\"data_offsets\":[50,52]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[52,53]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[53,54]},"
                + "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[54,56]},"
                + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[56,56]}}";
        byte[] data = RawFiles.bytes(
                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,  // U64 2^63-1
                0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // I64 -2
                0, 0, 0, 0, 0, 0, 0x04, 0x40,                    // F64 2.5
                0, 0, 0xC0, 0xBF,                                // F32 -1.5
                0xFF, 0xFF, 0xFF, 0xFF,                          // U32 4294967295
                0x00, 0x00, 0x00, 0x80,                          // I32 -2^31
                0x80, 0x3F, 0x40, 0xC0,                          // BF16 1.0, -3.0
                0x00, 0x3C, 0x00, 0xB8,                          // F16 1.0, -0.5
                0xFF, 0xFF,                                      // U16 65535
                0xFE, 0xFF,                                      // I16 -2
                0x38, 0xC0,                                      // F8_E4M3 1.0, -2.0
                0x3C, 0x40,                                      // F8_E5M2 1.0, 2.0
                0xFF,                                            // I8 -1
                0xFF,                                            // U8 255
                0x01, 0x00);                                     // BOOL true, false
        Path p = tmp.resolve("all.safetensors");
        Files.write(p, RawFiles.file(header, data));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("a", "b"), List.copyOf(f.metadata().keySet()));
            assertEquals(List.of("bf16", "bool", "e4m3", "e5m2", "empty", "f16", "f32", "f64", "i16", "i32", "i64",
                    "i8", "u16", "u32", "u64", "u8"), f.keys());
            assertEquals(Long.MAX_VALUE, f.tensor("u64").getLong(0));
            assertEquals(-2L, f.tensor("i64").getLong(0));
            assertEquals(2.5f, f.tensor("f64").getFloat(0));
            assertEquals(0, f.tensor("f64").rank());
            assertEquals(-1.5f, f.tensor("f32").getFloat(0));
            assertEquals(4294967295L, f.tensor("u32").getLong(0));
            assertEquals(Integer.MIN_VALUE, f.tensor("i32").getLong(0));
            assertArrayEquals(new float[] {1.0f, -3.0f}, f.tensor("bf16").toFloatArray());
            assertArrayEquals(new float[] {1.0f, -0.5f}, f.tensor("f16").toFloatArray());
            assertEquals(65535L, f.tensor("u16").getLong(0));
            assertEquals(-2L, f.tensor("i16").getLong(0));
            assertArrayEquals(new float[] {1.0f, -2.0f}, f.tensor("e4m3").toFloatArray());
            assertArrayEquals(new float[] {1.0f, 2.0f}, f.tensor("e5m2").toFloatArray());
            assertEquals(-1L, f.tensor("i8").getLong(0));
            assertEquals(255L, f.tensor("u8").getLong(0));
            assertArrayEquals(new long[] {1, 0}, f.tensor("bool").toLongArray());
            assertEquals(0, f.tensor("empty").numel());
            assertArrayEquals(new int[] {0, 3}, f.tensor("empty").shape());
            for (String k : f.keys()) {
                assertEquals(DType.valueOf(f.info(k).dtype().name()), f.tensor(k).dtype());
            }
        }
    }

    @Test
    void tensorsAreReadableFromOtherThreadsAndInvalidAfterClose() throws Exception {
        Path p = tmp.resolve("one.safetensors");
        Files.write(p, RawFiles.file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                RawFiles.bytes(0, 0, 0x80, 0x3F, 0, 0, 0, 0x40)));
        SafetensorsFile f = SafetensorsFile.open(p);
        Tensor x = f.tensor("x");
        float[] fromWorker = CompletableFuture.supplyAsync(x::toFloatArray).get();
        assertArrayEquals(new float[] {1f, 2f}, fromWorker);
        f.close();
        f.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> x.getFloat(0));
        assertThrows(IllegalStateException.class, () -> f.tensor("x"));
    }

    @Test
    void unknownKeyNamesFileAndKey() throws Exception {
        Path p = tmp.resolve("one.safetensors");
        Files.write(p, RawFiles.file("{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", RawFiles.bytes(7)));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.tensor("y"));
            assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("'y'"), e.getMessage());
        }
    }

    @Test
    void missingFileIsASafetensorsException() {
        Path p = tmp.resolve("absent.safetensors");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    static Stream<Arguments> malformed() {
        String ok = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        byte[] eight = new byte[8];
        return Stream.of(
                Arguments.of("shorter than the length prefix", RawFiles.bytes(1, 2, 3), null, "too short"),
                Arguments.of("empty file", new byte[0], null, "too short"),
                Arguments.of("length past the end", RawFiles.file(1000, new byte[10], new byte[0]), null, "runs past the end"),
                Arguments.of("absurd length", RawFiles.file(1L << 40, new byte[10], new byte[0]), null, "exceeds the limit"),
                Arguments.of("length with the top bit set", RawFiles.file(-1L, new byte[10], new byte[0]), null,
                        "18446744073709551615"),
                Arguments.of("array header", RawFiles.file("[1,2]", eight), null, "must be a JSON object"),
                Arguments.of("empty header", RawFiles.file("", new byte[0]), null, "must be a JSON object"),
                Arguments.of("cut JSON", RawFiles.file("{\"x\":", eight), null, "not valid JSON"),
                Arguments.of("trailing JSON", RawFiles.file("{} {}", new byte[0]), null, "not valid JSON"),
                Arguments.of("invalid UTF-8", RawFiles.file(4, RawFiles.bytes('{', 0xFF, 0xFE, '}'), new byte[0]), null,
                        "UTF-8"),
                Arguments.of("duplicate key", RawFiles.file("{\"x\":" + ok + ",\"x\":" + ok + "}", eight), "x",
                        "appears more than once"),
                Arguments.of("duplicate field inside an entry", RawFiles.file(
                        "{\"x\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), null,
                        "not valid JSON: Duplicate field 'dtype'"),
                Arguments.of("duplicate metadata", RawFiles.file("{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0]),
                        null, "'__metadata__' appears more than once"),
                Arguments.of("unknown dtype", RawFiles.file("{\"x\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        eight), "x", "unknown dtype 'F33'"),
                Arguments.of("lower-case dtype", RawFiles.file("{\"x\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        eight), "x", "unknown dtype 'f32'"),
                Arguments.of("numeric dtype", RawFiles.file("{\"x\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}",
                        eight), "x", "'dtype' must be a string"),
                Arguments.of("missing shape", RawFiles.file("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", eight),
                        "x", "'shape'"),
                Arguments.of("offsets past the data", RawFiles.file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                        eight), "x", "truncated"),
                Arguments.of("overlap", RawFiles.file("{\"a\":" + ok + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        new byte[12]), "b", "overlap tensor 'a'"),
                Arguments.of("hole", RawFiles.file("{\"a\":" + ok + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}",
                        new byte[20]), "b", "hole of 4 bytes"),
                Arguments.of("hole at the start", RawFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                        new byte[16]), "a", "expected begin 0"),
                Arguments.of("begin after end", RawFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                        eight), "a", "begin > end"),
                Arguments.of("shape and bytes disagree", RawFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}",
                        new byte[16]), "a", "needs 12 bytes but data_offsets [0, 16] span 16"),
                Arguments.of("negative dimension", RawFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                        eight), "a", "shape[0] must be a non-negative integer"),
                Arguments.of("fractional dimension", RawFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
                        eight), "a", "shape[0]"),
                Arguments.of("dimension beyond int", RawFiles.file("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296],\"data_offsets\":[0,8]}}",
                        eight), "a", "exceeds the largest supported dimension"),
                Arguments.of("element count overflow", RawFiles.file(
                        "{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}",
                        eight), "a", "overflows"),
                Arguments.of("offset beyond 2^64", RawFiles.file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551616]}}", eight), "a",
                        "data_offsets[1]"),
                Arguments.of("one offset", RawFiles.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",
                        eight), "a", "'data_offsets' must be an array [begin, end]"),
                Arguments.of("entry not an object", RawFiles.file("{\"a\":[\"F32\",[2],[0,8]]}", eight), "a",
                        "entry must be an object"),
                Arguments.of("trailing data", RawFiles.file("{\"a\":" + ok + "}", new byte[12]), null,
                        "4 trailing bytes belong to no tensor"),
                Arguments.of("metadata value not a string", RawFiles.file("{\"__metadata__\":{\"k\":1}}", new byte[0]), null,
                        "value for 'k' must be a string"),
                Arguments.of("metadata not an object", RawFiles.file("{\"__metadata__\":[1]}", new byte[0]), null,
                        "__metadata__ must be an object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFilesAreRejectedWithAClearMessage(String label, byte[] bytes, String tensor, String fragment)
            throws Exception {
        Path p = tmp.resolve("bad.safetensors");
        Files.write(p, bytes);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p));
        String m = e.getMessage();
        assertTrue(m.startsWith(p.toString()), m);
        assertTrue(m.contains(fragment), "expected '" + fragment + "' in: " + m);
        if (tensor != null) {
            assertTrue(m.contains("tensor '" + tensor + "'"), m);
        }
    }

    @Test
    void emptyFileWithoutTensorsIsValid() throws Exception {
        Path p = tmp.resolve("empty.safetensors");
        Files.write(p, RawFiles.file("{}      ", new byte[0]));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of(), f.keys());
        }
    }

    /**
     * Offsets past 2 GB: a sparse file (no disk space used) holding one U8 tensor of 2^31 + 8
     * bytes whose last byte is set.
     */
    @Test
    void readsTensorsBeyondTwoGigabytes() throws Exception {
        long bytes = (1L << 31) + 8;
        String header = RawFiles.padded("{\"big\":{\"dtype\":\"U8\",\"shape\":[2,1073741828],\"data_offsets\":[0,"
                + bytes + "]}}");
        Path p = tmp.resolve("sparse.safetensors");
        byte[] head = RawFiles.file(header, new byte[0]);
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            raf.write(head);
            raf.setLength(head.length + bytes);
            raf.seek(head.length + bytes - 1);
            raf.write(42);
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            Tensor big = f.tensor("big");
            assertEquals(bytes, big.numel());
            assertEquals(42L, big.getLong(bytes - 1));
            assertEquals(0L, big.getLong(1L << 31));
            assertEquals(bytes, f.info("big").end());
        }
    }
}
