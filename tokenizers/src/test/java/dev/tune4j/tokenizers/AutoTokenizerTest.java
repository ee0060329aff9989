package dev.tune4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AutoTokenizer / PretrainedTokenizer: what transformers adds on top of tokenizer.json. */
class AutoTokenizerTest {
    private static final ObjectMapper OM = new ObjectMapper();

    private static Path familyDir(String family) {
        return SharedData.require("tokenizers/" + family + "/tokenizer.json").getParent();
    }

    /** Copies the tokenizer files of a family into {@code dir}, optionally rewriting the config. */
    private static Path copy(String family, Path dir, Map<String, Object> configChanges) throws IOException {
        Path src = familyDir(family);
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        ObjectNode cfg = Files.exists(src.resolve("tokenizer_config.json"))
                ? (ObjectNode) OM.readTree(src.resolve("tokenizer_config.json").toFile()) : OM.createObjectNode();
        configChanges.forEach((k, v) -> cfg.set(k, OM.valueToTree(v)));
        Files.writeString(dir.resolve("tokenizer_config.json"), OM.writeValueAsString(cfg));
        return dir;
    }

    private static int addedId(String family, String content) throws IOException {
        JsonNode root = OM.readTree(familyDir(family).resolve("tokenizer.json").toFile());
        for (JsonNode t : root.get("added_tokens")) {
            if (t.get("content").asText().equals(content)) {
                return t.get("id").asInt();
            }
        }
        throw new AssertionError(content + " not in " + family);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen2_5", "mistral_v0_1", "gemma2", "phi3_mini", "t5_small"})
    void encodesLikeTheReferenceGoldens(String family) throws IOException {
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(familyDir(family));
        for (JsonNode g : GoldenTest.golden(family)) {
            String text = g.get("text").asText();
            assertArrayEquals(GoldenTest.ints(g.get("ids")), tok.encode(text).ids(), family + " " + g.get("id"));
            assertArrayEquals(GoldenTest.ints(g.get("ids_no_special")), tok.encode(text, false).ids());
        }
    }

    @Test
    void specialTokensFromTheConfig() throws IOException {
        PretrainedTokenizer qwen = AutoTokenizer.fromPretrained(familyDir("qwen2_5").toString());
        assertEquals(Optional.of("<|im_end|>"), qwen.eosToken());
        assertEquals(Optional.of(addedId("qwen2_5", "<|im_end|>")), qwen.eosTokenId());
        assertEquals(Optional.of(addedId("qwen2_5", "<|endoftext|>")), qwen.padTokenId());
        assertEquals(Optional.empty(), qwen.bosTokenId());
        assertTrue(qwen.additionalSpecialTokens().contains("<|im_start|>"));
        assertEquals(131072, qwen.modelMaxLength());
        PretrainedTokenizer phi = AutoTokenizer.fromPretrained(familyDir("phi3_mini"));
        assertEquals("left", phi.paddingSide());
        assertEquals(Optional.of(addedId("phi3_mini", "<|endoftext|>")), phi.padTokenId());
        assertTrue(phi.chatTemplate().isPresent());
    }

    @Test
    void addEosTokenRewritesThePostProcessor(@TempDir Path dir) throws IOException {
        copy("mistral_v0_1", dir, Map.of("add_eos_token", true));
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(dir);
        int bos = addedId("mistral_v0_1", "<s>");
        int eos = addedId("mistral_v0_1", "</s>");
        Encoding plain = Tokenizer.fromFile(dir.resolve("tokenizer.json")).encode("Hello world", false);
        int[] ids = tok.encode("Hello world").ids();
        int[] expected = new int[plain.ids().length + 2];
        expected[0] = bos;
        System.arraycopy(plain.ids(), 0, expected, 1, plain.ids().length);
        expected[expected.length - 1] = eos;
        assertArrayEquals(expected, ids);
        // add_bos_token=false removes <s>, as LlamaTokenizerFast.update_post_processor does
        Path dir2 = Files.createDirectory(dir.resolve("nobos"));
        copy("mistral_v0_1", dir2, Map.of("add_bos_token", false));
        assertArrayEquals(plain.ids(), AutoTokenizer.fromPretrained(dir2).encode("Hello world").ids());
    }

    @Test
    void paddingAndTruncationFollowTheConfiguredSides() {
        PretrainedTokenizer phi = AutoTokenizer.fromPretrained(familyDir("phi3_mini"));
        int pad = phi.padTokenId().orElseThrow();
        List<Encoding> batch = phi.encodeBatch(List.of("Hello", "Hello world, how are you?"), true, true, false, null);
        int[] a = batch.get(0).ids();
        int[] b = batch.get(1).ids();
        assertEquals(b.length, a.length);
        int[] unpadded = phi.encode("Hello").ids();
        int p = b.length - unpadded.length;
        for (int i = 0; i < p; i++) {
            assertEquals(pad, a[i]);
            assertEquals(0, batch.get(0).attentionMask()[i]);
        }
        assertArrayEquals(unpadded, Arrays.copyOfRange(a, p, a.length));
        List<Encoding> cut = phi.encodeBatch(List.of("Hello world, how are you?"), true, false, true, 3);
        assertArrayEquals(Arrays.copyOf(b, 3), cut.get(0).ids());
    }

    @Test
    void hubIdsAreRejectedWithThePathChecked() {
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> AutoTokenizer.fromPretrained("Qwen/Qwen2.5-0.5B-Instruct-not-here"));
        assertTrue(e.getMessage().contains(Path.of("Qwen/Qwen2.5-0.5B-Instruct-not-here").toAbsolutePath().toString()),
                e.getMessage());
        assertTrue(e.getMessage().contains("hub"), e.getMessage());
    }

    @Test
    void namedChatTemplatesAreSelected(@TempDir Path dir) throws IOException {
        copy("gpt2", dir, Map.of("chat_template", List.of(Map.of("name", "default", "template", "A"),
                Map.of("name", "tool_use", "template", "B"))));
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(dir);
        assertEquals(Optional.of("A"), tok.chatTemplate());
        assertEquals("B", tok.chatTemplates().get("tool_use"));
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> tok.applyChatTemplate(List.of(), false, "missing", Map.of()));
        assertTrue(e.getMessage().contains("tool_use"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2_5", "llama3_2", "phi3_mini"})
    void chatTemplatesRenderLikeTransformers(String family) throws IOException {
        // The goldens pin strftime_now to 2024-11-22 10:30:00.
        PretrainedTokenizer tok = AutoTokenizer.fromPretrained(familyDir(family)).templateClock(java.time.Clock.fixed(
                java.time.LocalDateTime.of(2024, 11, 22, 10, 30).toInstant(java.time.ZoneOffset.UTC), java.time.ZoneOffset.UTC));
        Path golden = SharedData.require("tokenizers/" + family + "/chat_golden.jsonl");
        List<String> failures = new ArrayList<>();
        for (String line : Files.readAllLines(golden, StandardCharsets.UTF_8)) {
            JsonNode g = OM.readTree(line);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> messages = OM.convertValue(g.get("messages"), List.class);
            boolean agp = g.get("add_generation_prompt").asBoolean();
            String label = g.get("conversation").asText() + " agp=" + agp;
            if (g.has("error")) {
                try {
                    tok.applyChatTemplate(messages, agp);
                    failures.add(label + ": expected " + g.get("error").asText());
                } catch (RuntimeException expected) {
                    String want = g.get("error").asText().replaceFirst("^TemplateError: ", "");
                    if (!want.equals(expected.getMessage())) {
                        failures.add(label + ": error " + expected.getMessage() + " expected " + want);
                    }
                }
            } else {
                String got = tok.applyChatTemplate(messages, agp);
                if (!g.get("rendered").asText().equals(got)) {
                    failures.add(label + ": rendered " + OM.writeValueAsString(got));
                }
                assertArrayEquals(tok.encode(got, false).ids(), tok.applyChatTemplateTokenized(messages, agp));
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
