package dev.tune4j.tokenizers.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tokenizers.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every conversation of {@code shared/tokenizers/<family>/chat_golden.jsonl} with the
 * family's real chat template and compares with what transformers + jinja2 3.1.2 produced.
 */
class ChatTemplateGoldenTest {
    /** The goldens pin {@code strftime_now} to this instant. */
    static final Clock GOLDEN_CLOCK = Clock.fixed(Instant.parse("2024-11-22T10:30:00Z"), ZoneOffset.UTC);

    private static final ObjectMapper JSON = new ObjectMapper();
    @ParameterizedTest
    @ValueSource(strings = {"llama3_2", "qwen2_5", "phi3_mini"})
    void rendersLikeTransformers(String family) throws IOException {
        Path dir = SharedData.require("tokenizers/" + family);
        JsonNode config = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        ChatTemplate template = ChatTemplate.compile(ChatTemplates.templates(config).get("default"));
        Map<String, Object> tokens = ChatTemplates.specialTokens(config);
        List<String> lines = Files.readAllLines(dir.resolve("chat_golden.jsonl"), StandardCharsets.UTF_8);
        int checked = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode g = JSON.readTree(line);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> messages = JSON.convertValue(g.get("messages"), List.class);
            boolean addGen = g.get("add_generation_prompt").asBoolean();
            Map<String, Object> ctx = ChatTemplates.context(messages, addGen, tokens);
            String where = family + " / " + g.get("conversation").asText() + " / add_generation_prompt=" + addGen;
            if (g.has("error")) {
                String expected = g.get("error").asText().replaceFirst("^TemplateError: ", "");
                TemplateException e = assertThrows(TemplateException.class, () -> template.render(ctx, GOLDEN_CLOCK), where);
                assertEquals(expected, e.getMessage(), where);
            } else {
                assertEquals(g.get("rendered").asText(), template.render(ctx, GOLDEN_CLOCK), where);
            }
            checked++;
        }
        assertEquals(12, checked, "conversations in " + family);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3_2", "qwen2_5", "phi3_mini"})
    void convenienceMatchesCompiledTemplate(String family) throws IOException {
        Path dir = SharedData.require("tokenizers/" + family);
        JsonNode config = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        JsonNode first = JSON.readTree(Files.readAllLines(dir.resolve("chat_golden.jsonl")).get(0));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> messages = JSON.convertValue(first.get("messages"), List.class);
        String rendered = ChatTemplates.render(config.get("chat_template").asText(), messages,
                first.get("add_generation_prompt").asBoolean(), ChatTemplates.specialTokens(config), GOLDEN_CLOCK);
        assertEquals(first.get("rendered").asText(), rendered);
        assertTrue(rendered.contains(messages.get(0).get("content").toString()));
    }
}
