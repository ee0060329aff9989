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
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsCheckpointTest {
    private static final Map<String, String> PT = Map.of("format", "pt");

    @TempDir
    Path tmp;

    private static Tensor u8(int bytes, int seed) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (seed * 17 + i);
        }
        return Tensor.wrap(MemorySegment.ofArray(b), DType.U8, bytes);
    }

    private List<String> listing(Path dir) throws Exception {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    /**
     * The example of huggingface_hub's {@code split_state_dict_into_shards_factory} docstring:
     * sizes [6, 6, 2, 6, 2, 2] with a limit of 10 give shards [6], [6+2], [6+2+2]. The index
     * literal is Python's {@code json.dumps(index, indent=2, sort_keys=True) + "\n"}.
     */
    @Test
    void shardsLikeHuggingfaceHubAndWritesTheIndexAsTransformers() throws Exception {
        int[] sizes = {6, 6, 2, 6, 2, 2};
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (int i = 0; i < sizes.length; i++) {
            state.put("t" + i, u8(sizes[i], i));
        }
        List<Path> written = SafetensorsWriter.writeSharded(tmp, state, PT, 10);
        assertEquals(List.of(tmp.resolve("model-00001-of-00003.safetensors"), tmp.resolve("model-00002-of-00003.safetensors"),
                tmp.resolve("model-00003-of-00003.safetensors"), tmp.resolve("model.safetensors.index.json")), written);
        String expectedIndex = "{\n  \"metadata\": {\n    \"total_size\": 24\n  },\n  \"weight_map\": {\n"
                + "    \"t0\": \"model-00001-of-00003.safetensors\",\n    \"t1\": \"model-00002-of-00003.safetensors\",\n"
                + "    \"t2\": \"model-00002-of-00003.safetensors\",\n    \"t3\": \"model-00003-of-00003.safetensors\",\n"
                + "    \"t4\": \"model-00003-of-00003.safetensors\",\n    \"t5\": \"model-00003-of-00003.safetensors\"\n  }\n}\n";
        assertEquals(expectedIndex, Files.readString(tmp.resolve("model.safetensors.index.json")));
        try (SafetensorsFile s2 = SafetensorsFile.open(tmp.resolve("model-00002-of-00003.safetensors"))) {
            assertEquals(List.of("t1", "t2"), s2.keys());
            assertEquals(PT, s2.metadata());
        }
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(tmp)) {
            assertTrue(ckpt.isSharded());
            assertEquals(OptionalLong.of(24), ckpt.totalSize());
            assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "t5"), ckpt.keys());
            assertEquals(3, ckpt.files().size());
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                assertArrayEquals(e.getValue().segment().toArray(ValueLayout.JAVA_BYTE),
                        ckpt.tensor(e.getKey()).segment().toArray(ValueLayout.JAVA_BYTE), e.getKey());
            }
        }
    }

    /** A tensor over the limit gets its own shard, placed before the shard still being filled (hub's order). */
    @Test
    void oversizedTensorGetsItsOwnShardFirst() throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("small_a", u8(4, 1));
        state.put("huge", u8(20, 2));
        state.put("small_b", u8(4, 3));
        SafetensorsWriter.writeSharded(tmp, state, PT, 10);
        JsonNode index = new ObjectMapper().readTree(tmp.resolve("model.safetensors.index.json").toFile());
        assertEquals(28, index.get("metadata").get("total_size").asLong());
        JsonNode map = index.get("weight_map");
        assertEquals("model-00001-of-00002.safetensors", map.get("huge").asText());
        assertEquals("model-00002-of-00002.safetensors", map.get("small_a").asText());
        assertEquals("model-00002-of-00002.safetensors", map.get("small_b").asText());
    }

    @Test
    void everythingInOneShardIsAPlainModelFileIdenticalToTransformers() throws Exception {
        Path golden = SharedData.require("golden/llama_tiny/model.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(golden)) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String k : f.keys()) {
                state.put(k, f.tensor(k));
            }
            List<Path> written = SafetensorsWriter.writeSharded(tmp, state, PT, SafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
            assertEquals(List.of(tmp.resolve("model.safetensors")), written);
        }
        assertEquals(List.of("model.safetensors"), listing(tmp));
        assertEquals(-1L, Files.mismatch(golden, tmp.resolve("model.safetensors")));
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(tmp)) {
            assertFalse(ckpt.isSharded());
            assertEquals(PT, ckpt.metadata());
            assertEquals(21, ckpt.keys().size());
        }
    }

    @Test
    void shardedGoldenModelRoundTripsBitForBit() throws Exception {
        Path golden = SharedData.require("golden/llama_tiny/model.safetensors");
        long total = 0;
        try (SafetensorsFile f = SafetensorsFile.open(golden)) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (String k : f.keys()) {
                state.put(k, f.tensor(k));
                total += f.info(k).byteSize();
            }
            SafetensorsWriter.writeSharded(tmp, state, PT, 200_000);
            try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(tmp)) {
                assertTrue(ckpt.isSharded());
                assertEquals(f.keys(), ckpt.keys());
                assertTrue(ckpt.files().size() >= 3, "shards: " + ckpt.files().size());
                for (String k : f.keys()) {
                    assertTrue(ckpt.contains(k));
                    assertEquals(f.info(k).dtype(), ckpt.info(k).dtype());
                    assertArrayEquals(f.info(k).shape(), ckpt.tensor(k).shape());
                    assertArrayEquals(f.tensor(k).segment().toArray(ValueLayout.JAVA_BYTE),
                            ckpt.tensor(k).segment().toArray(ValueLayout.JAVA_BYTE), k);
                }
                for (SafetensorsFile shard : ckpt.files()) {
                    long bytes = shard.infos().stream().mapToLong(TensorInfo::byteSize).sum();
                    assertTrue(bytes <= 200_000 || shard.size() == 1, shard + " holds " + bytes);
                    assertEquals(PT, shard.metadata());
                }
            }
        }
        assertEquals(632_064L, total); // data section of the golden file: 634216 - 8 - 2144
        JsonNode index = new ObjectMapper().readTree(tmp.resolve("model.safetensors.index.json").toFile());
        assertEquals(total, index.get("metadata").get("total_size").asLong());
        List<String> keys = new ArrayList<>();
        index.get("weight_map").fieldNames().forEachRemaining(keys::add);
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(null);
        assertEquals(sorted, keys);
    }

    @Test
    void removesStaleShardsOfAnEarlierSaveAsTransformersDoes() throws Exception {
        for (String stale : List.of("model-00001-of-00005.safetensors", "model-00005-of-00005.safetensors",
                "model-00001-of-00002.bin", "pytorch_model-00001-of-00002.bin", "model-1-of-2.safetensors",
                "notes.txt", "model.safetensors")) {
            Files.writeString(tmp.resolve(stale), "old");
        }
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("a", u8(8, 1));
        state.put("b", u8(8, 2));
        SafetensorsWriter.writeSharded(tmp, state, PT, 8);
        assertEquals(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model-1-of-2.safetensors",
                "model.safetensors.index.json", "notes.txt", "pytorch_model-00001-of-00002.bin"), listing(tmp));

        // Saving again into one file removes the shards and the index.
        SafetensorsWriter.writeSharded(tmp, state, PT, 100);
        assertEquals(List.of("model-1-of-2.safetensors", "model.safetensors", "notes.txt",
                "pytorch_model-00001-of-00002.bin"), listing(tmp));
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(tmp)) {
            assertEquals(List.of("a", "b"), ckpt.keys());
        }
    }

    @Test
    void preferSingleFileOverIndexAndOpenFilesDirectly() throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("a", u8(8, 1));
        state.put("b", u8(8, 2));
        SafetensorsWriter.writeSharded(tmp, state, PT, 8);
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(tmp.resolve("model.safetensors.index.json"))) {
            assertTrue(ckpt.isSharded());
            assertEquals(List.of("a", "b"), ckpt.keys());
        }
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(tmp.resolve("model-00002-of-00002.safetensors"))) {
            assertEquals(List.of("b"), ckpt.keys());
        }
        SafetensorsWriter.write(tmp.resolve("model.safetensors"), Map.of("only", u8(1, 0)), PT);
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(tmp)) {
            assertFalse(ckpt.isSharded());
            assertEquals(List.of("only"), ckpt.keys());
        }
    }

    private Path shardedFixture() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("a", u8(8, 1));
        state.put("b", u8(8, 2));
        SafetensorsWriter.writeSharded(tmp, state, PT, 8);
        return tmp.resolve("model.safetensors.index.json");
    }

    private void assertOpenFails(String... fragments) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(tmp));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void missingShardIsReported() throws Exception {
        shardedFixture();
        Files.delete(tmp.resolve("model-00002-of-00002.safetensors"));
        assertOpenFails("model.safetensors.index.json", "shard 'model-00002-of-00002.safetensors'", "'b'", "does not exist");
    }

    @Test
    void keyMissingFromItsShardIsReported() throws Exception {
        Path index = shardedFixture();
        Files.writeString(index, Files.readString(index).replace("\"b\": \"model-00002", "\"c\": \"model-00002")
                .replace("\"a\": \"model-00001-of-00002.safetensors\",", "\"a\": \"model-00001-of-00002.safetensors\",\n"
                        + "    \"b\": \"model-00001-of-00002.safetensors\","));
        assertOpenFails("key 'b'", "model-00001-of-00002.safetensors", "does not contain it");
    }

    @Test
    void keyInTwoShardsIsReported() throws Exception {
        shardedFixture();
        SafetensorsWriter.write(tmp.resolve("model-00002-of-00002.safetensors"), Map.of("a", u8(1, 0), "b", u8(8, 2)), PT);
        assertOpenFails("key 'a'", "present in two shards", "model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors");
    }

    @Test
    void shardOutsideTheDirectoryIsRejected() throws Exception {
        Path index = shardedFixture();
        Files.writeString(index, Files.readString(index).replace("\"model-00002-of-00002.safetensors\"",
                "\"../model-00002-of-00002.safetensors\""));
        assertOpenFails("'b'", "not a plain file name");
    }

    @Test
    void brokenIndexAndEmptyDirectoryAreReported() throws Exception {
        assertOpenFails("no model.safetensors or model.safetensors.index.json");
        Files.writeString(tmp.resolve("model.safetensors.index.json"), "{\"weight_map\": [1]}");
        assertOpenFails("'weight_map' must be an object");
        Files.writeString(tmp.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": 1}}");
        assertOpenFails("weight_map entry 'a' must name a shard file");
        Files.writeString(tmp.resolve("model.safetensors.index.json"), "{\"weight_map\": ");
        assertOpenFails("not valid JSON");
    }

    @Test
    void unknownKeyNamesTheCheckpoint() {
        shardedFixture();
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(tmp)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> ckpt.tensor("zzz"));
            assertTrue(e.getMessage().contains("'zzz'") && e.getMessage().contains("model.safetensors.index.json"),
                    e.getMessage());
        }
    }

    @Test
    void indexEscapesKeysAsPythonJsonDumps() {
        Map<String, String> map = new java.util.TreeMap<>(CodePointOrder.INSTANCE);
        map.put("bé\"\\\n\u007f😀", "x");
        map.put("a", "y");
        // Python: json.dumps({"weight_map": {...}, "metadata": {"total_size": 1}}, indent=2, sort_keys=True)
        String expected = "{\n  \"metadata\": {\n    \"total_size\": 1\n  },\n  \"weight_map\": {\n    \"a\": \"y\",\n"
                + "    \"b\\u00e9\\\"\\\\\\n\\u007f\\ud83d\\ude00\": \"x\"\n  }\n}\n";
        assertEquals(expected, ShardedSave.indexJson(1, map));
    }
}
