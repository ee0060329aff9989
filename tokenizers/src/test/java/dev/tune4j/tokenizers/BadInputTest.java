package dev.tune4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed files are rejected with precise messages; hostile inputs neither crash nor hang. */
class BadInputTest {
    private static final ObjectMapper OM = new ObjectMapper();

    /** A small but complete byte-level BPE tokenizer.json (GPT-2's layout, three merges). */
    private static ObjectNode gpt2Tree() throws IOException {
        return (ObjectNode) OM.readTree("""
                {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
                 "post_processor": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                 "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
                 "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": "",
                           "end_of_word_suffix": "", "fuse_unk": false,
                           "vocab": {"a": 0, "b": 1, "\u0120": 2, "ab": 3, "\u0120a": 4, "\u0120ab": 5},
                           "merges": ["a b", "\u0120 a", "\u0120a b"]}}
                """);
    }

    private static TokenizerException rejected(ObjectNode tree) {
        return assertThrows(TokenizerException.class, () -> Tokenizer.fromJson(OM.writeValueAsString(tree)));
    }

    @Test
    void unknownComponentTypesAreNamedWithTheirPath() throws IOException {
        ObjectNode t = gpt2Tree();
        ((ObjectNode) t.get("pre_tokenizer")).put("type", "ByteLevelX");
        TokenizerException e = rejected(t);
        assertTrue(e.getMessage().contains("\"ByteLevelX\"") && e.getMessage().contains("$.pre_tokenizer.type"),
                e.getMessage());

        t = gpt2Tree();
        ObjectNode seq = OM.createObjectNode().put("type", "Sequence");
        ArrayNode items = seq.putArray("normalizers");
        items.add(OM.createObjectNode().put("type", "NFC"));
        items.add(OM.createObjectNode().put("type", "Frobnicate"));
        t.set("normalizer", seq);
        e = rejected(t);
        assertTrue(e.getMessage().contains("$.normalizer.normalizers[1].type")
                && e.getMessage().contains("\"Frobnicate\""), e.getMessage());

        for (String field : List.of("decoder", "post_processor")) {
            t = gpt2Tree();
            ((ObjectNode) t.get(field)).put("type", "Nope");
            e = rejected(t);
            assertTrue(e.getMessage().contains("$." + field + ".type") && e.getMessage().contains("\"Nope\""),
                    e.getMessage());
        }

        t = gpt2Tree();
        ((ObjectNode) t.get("model")).put("type", "SuperBPE");
        e = rejected(t);
        assertTrue(e.getMessage().contains("$.model.type") && e.getMessage().contains("\"SuperBPE\""), e.getMessage());
    }

    @Test
    void brokenFilesAreRejected(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("tokenizer.json");
        Files.writeString(p, "{\"model\": ");
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromFile(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("JSON"), e.getMessage());

        ObjectNode t = gpt2Tree();
        ((ArrayNode) t.get("model").get("merges")).insert(0, "Ġ zzzz-not-a-token");
        e = rejected(t);
        assertTrue(e.getMessage().contains("$.model.merges[0]") && e.getMessage().contains("zzzz-not-a-token"),
                e.getMessage());

        t = gpt2Tree();
        ((ObjectNode) t.get("pre_tokenizer")).put("add_prefix_space", "yes");
        e = rejected(t);
        assertTrue(e.getMessage().contains("$.pre_tokenizer.add_prefix_space") && e.getMessage().contains("boolean"),
                e.getMessage());

        t = gpt2Tree();
        t.set("pre_tokenizer", OM.createObjectNode().put("type", "Split").put("behavior", "Isolated")
                .set("pattern", OM.createObjectNode().put("Regex", "(unclosed")));
        e = rejected(t);
        assertTrue(e.getMessage().contains("$.pre_tokenizer.pattern.Regex"), e.getMessage());

        assertThrows(TokenizerException.class, () -> Tokenizer.fromFile(dir.resolve("missing.json")));
        // the unmodified tree is valid: " abab" is one word; merge rank 0 (a b) applies twice first
        assertEquals(List.of(2, 3, 3), Arrays.stream(Tokenizer.fromJson(OM.writeValueAsString(gpt2Tree()))
                .encode(" abab", false).ids()).boxed().toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama3_2", "bert_base_uncased", "t5_small", "gemma2"})
    void loneSurrogatesAreReadAsReplacementCharacters(String family) {
        Tokenizer tok = GoldenTest.load(family);
        for (String s : List.of("a\uD800b", "\uDC00", "x\uD83D", "\uDE00\uD83D", "ok \uD83D\uDE00 \uD83D")) {
            String replaced = s.replaceAll("\\p{Cs}", "\uFFFD");
            assertArrayEquals(tok.encode(replaced, true).ids(), tok.encode(s, true).ids(), s);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama2", "llama3_2", "qwen2_5", "mistral_v0_1", "gemma2", "phi3_mini",
            "bert_base_uncased", "t5_small", "falcon"})
    void nulBytesMatchTheReference(String family) throws IOException {
        Tokenizer tok = GoldenTest.load(family);
        String json = Files.readString(SharedData.require("tokenizers/" + family + "/tokenizer.json"),
                StandardCharsets.UTF_8);
        try (ReferenceTokenizer ref = new ReferenceTokenizer(json)) {
            for (String s : List.of("\u0000", "a\u0000b", "\u0000\u0000 \u0000x", "<s>\u0000</s>")) {
                long[] want = ref.encode(s, true).ids();
                assertArrayEquals(want, Arrays.stream(tok.encode(s, true).ids()).asLongStream().toArray(), family);
                assertEquals(ref.decode(tok.encode(s, true).ids(), false), tok.decode(tok.encode(s, true).ids(), false));
            }
        }
    }

    /** About 10 MB of mixed text: corpus lines, random characters, long runs of spaces and of one letter. */
    static String hugeText() throws IOException {
        List<String> corpus = DifferentialTest.corpus();
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder(10_500_000);
        sb.append(" ".repeat(100_000)).append("a".repeat(200_000)).append("\n".repeat(50_000));
        while (sb.length() < 10_000_000) {
            sb.append(corpus.get(r.nextInt(corpus.size()))).append(' ');
            if (r.nextInt(10) == 0) {
                sb.appendCodePoint(r.nextInt(0x20, 0xD7FF));
            }
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "t5_small"})
    void tenMegabyteInputsFinish(String family) throws IOException {
        Tokenizer tok = GoldenTest.load(family);
        String text = hugeText();
        // A hang guard only (generous); speed is measured by the JMH benchmarks.
        Encoding e = assertTimeoutPreemptively(Duration.ofSeconds(600), () -> tok.encode(text, true));
        assertTrue(e.ids().length > 1_000_000, "tokens: " + e.ids().length);
        String decoded = assertTimeoutPreemptively(Duration.ofSeconds(600), () -> tok.decode(e.ids(), true));
        assertTrue(decoded.length() > 5_000_000);
    }
}
