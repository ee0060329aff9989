package dev.tune4j.tokenizers.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tokenizers.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code continue_final_message} and {@code return_assistant_tokens_mask} against transformers'
 * own {@code render_jinja_template}: {@code transformers_cases.jsonl} was written by
 * {@code generate_transformers_cases.py} (kept beside it) with transformers 5.18.0 and jinja2 3.1.6.
 * Cases naming a {@code family} use that folder's real template from {@code shared/tokenizers}.
 */
class TransformersParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (InputStream in = TransformersParityTest.class.getResourceAsStream("transformers_cases.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    JsonNode c = JSON.readTree(line);
                    out.add(Arguments.of(Named.of(c.get("name").asText(), c)));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTransformers(JsonNode c) throws IOException {
        String source;
        Map<String, Object> variables;
        if (c.has("family")) {
            JsonNode config = JSON.readTree(SharedData.require("tokenizers/" + c.get("family").asText())
                    .resolve("tokenizer_config.json").toFile());
            source = ChatTemplates.templates(config).get("default");
            variables = ChatTemplates.specialTokens(config);
        } else {
            source = c.get("template").asText();
            variables = Map.of();
        }
        ChatTemplate template = ChatTemplate.compile(source);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> messages = JSON.convertValue(c.get("messages"), List.class);
        if (c.get("kind").asText().equals("continue")) {
            String field = c.get("field").asText();
            if (c.has("error")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                        ChatTemplates.renderContinuingFinalMessage(template, messages, field, variables,
                                ChatTemplateGoldenTest.GOLDEN_CLOCK));
                String expected = c.get("error").asText();
                assertEquals(expected.substring(0, 40), e.getMessage().substring(0, 40));
            } else {
                assertEquals(c.get("expected").asText(), ChatTemplates.renderContinuingFinalMessage(template, messages,
                        field, variables, ChatTemplateGoldenTest.GOLDEN_CLOCK));
            }
        } else {
            Map<String, Object> ctx = ChatTemplates.context(messages, c.get("add_generation_prompt").asBoolean(),
                    variables);
            RenderedChat r = template.renderWithGenerationIndices(ctx, ChatTemplateGoldenTest.GOLDEN_CLOCK);
            assertEquals(c.get("expected").asText(), r.text());
            List<RenderedChat.Span> expected = new ArrayList<>();
            c.get("spans").forEach(s -> expected.add(new RenderedChat.Span(s.get(0).asInt(), s.get(1).asInt())));
            assertEquals(expected, r.generationIndices());
        }
    }
}
