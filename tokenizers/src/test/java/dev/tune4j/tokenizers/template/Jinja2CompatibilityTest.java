package dev.tune4j.tokenizers.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Differential test against real jinja2: {@code jinja2_cases.jsonl} holds templates with the
 * output (or error) that jinja2 3.1.6 produced in transformers' environment; it was written by
 * {@code generate_jinja2_cases.py}, kept beside it. Covers whitespace control, loops, scoping,
 * macros, expressions, Python {@code str()} of values, string methods, filters, tests and globals.
 */
class Jinja2CompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (InputStream in = Jinja2CompatibilityTest.class.getResourceAsStream("jinja2_cases.jsonl")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
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
    void rendersLikeJinja2(JsonNode c) {
        @SuppressWarnings("unchecked")
        Map<String, Object> ctx = JSON.convertValue(c.get("context"), Map.class);
        String template = c.get("template").asText();
        if (c.has("expected")) {
            String actual = ChatTemplate.compile(template).render(ctx, ChatTemplateGoldenTest.GOLDEN_CLOCK);
            assertEquals(c.get("expected").asText(), actual, template);
        } else {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> ChatTemplate.compile(template).render(ctx, ChatTemplateGoldenTest.GOLDEN_CLOCK), template);
            String expected = c.get("error").asText();
            if (c.get("error_type").asText().equals("TemplateError")) {
                assertEquals(expected, e.getMessage());
            } else {
                assertTrue(e.getMessage().contains(expected), "expected jinja2's message '" + expected + "', got '"
                        + e.getMessage() + "'");
            }
        }
    }
}
