package dev.tune4j.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.testing.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GenerationConfigTest {

    @Test
    void defaultsAreTransformers445() {
        // transformers GenerationConfig.__init__ defaults (reference/python-ecosystem.md §3.9)
        GenerationConfig c = GenerationConfig.builder().build();
        assertEquals(20, c.maxLength());
        assertEquals(OptionalInt.empty(), c.maxNewTokens());
        assertEquals(0, c.minLength());
        assertEquals(OptionalInt.empty(), c.minNewTokens());
        assertFalse(c.doSample());
        assertEquals(1, c.numBeams());
        assertEquals(1.0, c.temperature());
        assertEquals(50, c.topK());
        assertEquals(1.0, c.topP());
        assertEquals(OptionalDouble.empty(), c.minP());
        assertEquals(1.0, c.typicalP());
        assertEquals(1.0, c.repetitionPenalty());
        assertEquals(0, c.noRepeatNgramSize());
        assertEquals(List.of(), c.eosTokenIds());
        assertEquals(OptionalInt.empty(), c.padTokenId());
        assertEquals(OptionalInt.empty(), c.bosTokenId());
        assertTrue(c.seed().isEmpty());
        assertEquals("{}\n", c.toJson(), "nothing differs from the defaults");
        assertEquals(c, GenerationConfig.fromJson("{}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void readsAndRewritesTransformersFilesByteForByte(String model) throws IOException {
        Path dir = SharedData.require("golden/" + model);
        GenerationConfig c = GenerationConfig.fromPretrained(dir);
        assertEquals(Files.readString(dir.resolve("generation_config.json"), StandardCharsets.UTF_8), c.toJson());
    }

    /** transformers wrote these generation_config.json files from config.json (from_model_config). */
    @ParameterizedTest
    @ValueSource(strings = {"llama_tiny", "qwen2_tiny", "gpt2_tiny"})
    void fromModelConfigMatchesTransformers(String model) throws IOException {
        Path dir = SharedData.require("golden/" + model);
        GenerationConfig fromModel = GenerationConfig.fromModelConfig(dir.resolve("config.json"));
        com.fasterxml.jackson.databind.node.ObjectNode expected = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("generation_config.json").toFile());
        assertEquals(expected, new com.fasterxml.jackson.databind.ObjectMapper().readTree(fromModel.toJson()));
        // The file transformers derives, byte for byte, also from a config already in memory.
        assertEquals(java.nio.file.Files.readString(dir.resolve("generation_config.json")),
                GenerationConfig.fromModelConfig(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(dir.resolve("config.json").toFile()), "config.json").toJson());
    }

    @Test
    void readsTokenIdsOfLlamaTiny() {
        GenerationConfig c = GenerationConfig.fromPretrained(SharedData.require("golden/llama_tiny"));
        assertEquals(List.of(2), c.eosTokenIds());
        assertEquals(OptionalInt.of(1), c.bosTokenId());
        assertEquals(OptionalInt.empty(), c.padTokenId());
        assertEquals(true, c.otherFields().get("_from_model_config").booleanValue());
        GenerationConfig gpt2 = GenerationConfig.fromPretrained(SharedData.require("golden/gpt2_tiny"));
        assertEquals(List.of(511), gpt2.eosTokenIds());
    }

    @Test
    void writesLikePythonJsonDumps() {
        String in = "{\"max_new_tokens\":64,\"do_sample\":true,\"temperature\":0.7,\"top_p\":0.9,\"eos_token_id\":[1,2],"
                + "\"min_p\":1e-05,\"num_beams\":1,\"top_k\":50,\"x_extra\":{\"b\":[],\"a\":{}},"
                + "\"note\":\"caf\\u00e9 \\u007f \\\"q\\\"\"}";
        // python3: json.dumps({... same dict without the default-valued keys ...}, indent=2, sort_keys=True)
        String python = """
                {
                  "do_sample": true,
                  "eos_token_id": [
                    1,
                    2
                  ],
                  "max_new_tokens": 64,
                  "min_p": 1e-05,
                  "note": "caf\\u00e9 \\u007f \\"q\\"",
                  "temperature": 0.7,
                  "top_p": 0.9,
                  "x_extra": {
                    "a": {},
                    "b": []
                  }
                }
                """;
        GenerationConfig c = GenerationConfig.fromJson(in);
        assertEquals(python, c.toJson());
        assertEquals(List.of(1, 2), c.eosTokenIds());
        assertEquals(c, GenerationConfig.fromJson(c.toJson()));
    }

    @Test
    void floatsAreWrittenAsPythonRepr() {
        // left: Python's repr(float) of the right-hand double
        Map<String, Double> python = new HashMap<>();
        python.put("1e-05", 1e-05);
        python.put("0.0001", 0.0001);
        python.put("1e+16", 1e16);
        python.put("1234567890123456.0", 1234567890123456.0);
        python.put("0.30000000000000004", 0.1 + 0.2);
        python.put("1.5e-07", 1.5e-07);
        python.put("-2.5", -2.5);
        python.put("100.0", 100.0);
        python.put("1.7976931348623157e+308", Double.MAX_VALUE);
        python.put("5e-324", Double.MIN_VALUE);
        python.put("123456789.125", 123456789.125);
        python.put("1e+22", 1e22);
        python.put("0.00012345", 0.00012345);
        python.forEach((expected, d) -> assertEquals(expected, dev.tune4j.io.PythonJson.floatRepr(d)));
    }

    @Test
    void singleEosStaysAnIntegerAndListStaysAList() {
        assertEquals("{\n  \"eos_token_id\": 7\n}\n", GenerationConfig.builder().eosTokenId(7).build().toJson());
        assertEquals("{\n  \"eos_token_id\": [\n    7\n  ]\n}\n",
                GenerationConfig.builder().eosTokenIds(List.of(7)).build().toJson());
    }

    @Test
    void malformedJsonNamesTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("generation_config.json"), "{\"max_length\": 20,");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromPretrained(dir));
        assertTrue(e.getMessage().contains(dir.resolve("generation_config.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void missingFileNamesTheFile(@TempDir Path dir) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> GenerationConfig.fromPretrained(dir));
        assertTrue(e.getMessage().contains(dir.resolve("generation_config.json").toString()), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyExpectedAndFound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationConfig.fromJson("{\"max_new_tokens\": \"many\"}"));
        assertTrue(e.getMessage().contains("max_new_tokens") && e.getMessage().contains("integer")
                && e.getMessage().contains("\"many\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromJson("{\"eos_token_id\": [2, \"x\"]}"));
        assertTrue(e.getMessage().contains("eos_token_id[1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromJson("[1, 2]"));
        assertTrue(e.getMessage().contains("expected a JSON object"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GenerationConfig.fromJson("{\"top_p\": 1.5}"));
        assertTrue(e.getMessage().contains("top_p") && e.getMessage().contains("1.5"), e.getMessage());
    }

    @Test
    void unknownKeysAreKeptButDoNotChangeBehaviour() {
        GenerationConfig c = GenerationConfig.fromJson("{\"use_cache\": false, \"transformers_version\": \"4.45.2\"}");
        assertEquals(GenerationConfig.builder().build().toBuilder().build().maxLength(), c.maxLength());
        assertEquals(0, LogitsProcessorList.fromConfig(c, 3).size());
        assertTrue(c.toJson().contains("\"use_cache\": false"));
    }

    @Test
    void nullMeansUnset() {
        GenerationConfig c = GenerationConfig.fromJson("{\"top_k\": null, \"max_new_tokens\": null, \"temperature\": null}");
        assertEquals(0, c.topK(), "top_k=None disables top-k, as 0 does");
        assertTrue(c.maxNewTokens().isEmpty());
        assertEquals(1.0, c.temperature());
    }

    @Test
    void overridesByBuilderAndByKwargs() {
        GenerationConfig base = GenerationConfig.builder().eosTokenId(2).maxNewTokens(10).build();
        GenerationConfig a = base.withOverrides(b -> b.doSample(true).temperature(0.5));
        GenerationConfig b = base.withOverrides(Map.of("do_sample", true, "temperature", 0.5));
        assertEquals(a, b);
        assertEquals(List.of(2), b.eosTokenIds());
        assertTrue(a.doSample());
        assertFalse(base.doSample(), "the original is unchanged");
        Map<String, Object> reset = new HashMap<>();
        reset.put("max_new_tokens", null);
        assertTrue(base.withOverrides(reset).maxNewTokens().isEmpty());
        assertEquals(List.of(3, 4), base.withOverrides(Map.of("eos_token_id", List.of(3, 4))).eosTokenIds());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> base.withOverrides(Map.of("max_new_token", 5)));
        assertTrue(e.getMessage().contains("max_new_token"), e.getMessage());
    }

    @Test
    void savePretrainedWritesAtomicallyAndRoundTrips(@TempDir Path dir) throws IOException {
        GenerationConfig c = GenerationConfig.builder().maxNewTokens(32).doSample(true).topP(0.95).seed(7L).build();
        c.savePretrained(dir);
        assertEquals(c, GenerationConfig.fromPretrained(dir));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("generation_config.json")), files.toList(), "no temp file left behind");
        }
    }

    @Test
    void beamSearchIsRejectedClearly() {
        GenerationConfig c = GenerationConfig.builder().numBeams(4).maxNewTokens(3).build();
        assertEquals(4, c.numBeams(), "configs from models that set num_beams still load");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Generator.generate(ReplayDecoder.lenient(new float[1][1][4]), new int[][] {{1}}, null, c));
        assertTrue(e.getMessage().contains("num_beams=4"), e.getMessage());
    }
}
