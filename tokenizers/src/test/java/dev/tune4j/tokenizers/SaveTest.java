package dev.tune4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saved files are read back identically, by this library and by the Rust reference. */
class SaveTest {
    private static final ObjectMapper OM = new ObjectMapper();

    @Test
    void savedTokenizerWithAddedTokensLoadsInTheReference(@TempDir Path dir) throws IOException {
        Tokenizer tok = Tokenizer.fromFile(SharedData.require("tokenizers/llama3_2/tokenizer.json"));
        int before = tok.vocabSize();
        assertEquals(1, tok.addSpecialTokens("<|my_special|>"));
        assertEquals(2, tok.addTokens("hello world", "zzqx"));
        assertEquals(before + 3, tok.vocabSize());
        tok.setTruncation(TruncationParams.of(512));
        Path file = dir.resolve("tokenizer.json");
        tok.save(file);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
        JsonNode saved = OM.readTree(file.toFile());
        assertEquals(512, saved.get("truncation").get("max_length").asInt());
        List<String> probes = List.of("say hello world<|my_special|>zzqx!", "<|begin_of_text|>hello worldzzqx",
                "no added tokens here", "<|my_special|><|my_special|> hello world ");
        Tokenizer reloaded = Tokenizer.fromFile(file);
        try (ReferenceTokenizer ref = new ReferenceTokenizer(Files.readString(file, StandardCharsets.UTF_8))) {
            for (String s : probes) {
                int[] ids = tok.encode(s, true).ids();
                assertArrayEquals(ids, reloaded.encode(s, true).ids(), s);
                assertArrayEquals(ref.encode(s, true).ids(), Arrays.stream(ids).asLongStream().toArray(), s);
                assertEquals(ref.decode(ids, true), tok.decode(ids, true), s);
            }
        }
        int special = tok.tokenToId("<|my_special|>");
        assertTrue(tok.isSpecialToken("<|my_special|>"));
        assertEquals("", tok.decode(new int[] {special}, true));
    }

    @Test
    void savePretrainedRoundTrips(@TempDir Path dir) throws IOException {
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(
                SharedData.require("tokenizers/qwen2_5/tokenizer.json").getParent());
        Path out = dir.resolve("saved");
        tok.savePretrained(out);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode map = OM.readTree(out.resolve("special_tokens_map.json").toFile());
        assertEquals("<|im_end|>", map.get("eos_token").asText());
        assertEquals("<|endoftext|>", map.get("pad_token").asText());
        PretrainedTokenizer back = AutoTokenizer.fromPretrained(out);
        assertEquals(tok.eosTokenId(), back.eosTokenId());
        assertEquals(tok.padTokenId(), back.padTokenId());
        assertEquals(Optional.empty(), back.bosToken());
        assertEquals(tok.chatTemplate(), back.chatTemplate());
        assertEquals(tok.modelMaxLength(), back.modelMaxLength());
        assertEquals(tok.additionalSpecialTokens(), back.additionalSpecialTokens());
        for (JsonNode g : GoldenTest.golden("qwen2_5")) {
            String text = g.get("text").asText();
            assertArrayEquals(GoldenTest.ints(g.get("ids")), back.encode(text).ids(), text);
        }
    }
}
