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
 * Differential test against real jinja2 3.1.6 in transformers' environment. Resources beside this
 * class, each written by the Python script kept next to it:
 * <ul>
 *   <li>{@code jinja2_cases.jsonl} ({@code generate_jinja2_cases.py}): hand-picked cases covering
 *       whitespace control, loops, scoping, macros, expressions, Python {@code str()} of values,
 *       string methods, filters, tests, globals and tool-calling templates;</li>
 *   <li>{@code jinja2_whitespace_fuzz.jsonl} and {@code jinja2_expression_fuzz.jsonl}
 *       ({@code generate_jinja2_fuzz.py}, fixed seeds): random templates mixing every whitespace
 *       control form, and random expressions mixing operators, filters, tests and methods.</li>
 * </ul>
 * Expected output must match byte for byte; where jinja2 raised, rendering must raise too (with the
 * same message for {@code raise_exception}, and containing jinja2's message for the curated cases).
 */
class Jinja2CompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() throws IOException {
        return load("jinja2_cases.jsonl");
    }

    static Stream<Arguments> fuzzCases() throws IOException {
        return Stream.concat(load("jinja2_whitespace_fuzz.jsonl"), load("jinja2_expression_fuzz.jsonl"));
    }

    private static Stream<Arguments> load(String resource) throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (InputStream in = Jinja2CompatibilityTest.class.getResourceAsStream(resource)) {
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
        check(c, true);
    }

    @ParameterizedTest
    @MethodSource("fuzzCases")
    void randomTemplatesRenderLikeJinja2(JsonNode c) {
        check(c, false);
    }

    private static void check(JsonNode c, boolean compareMessages) {
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
            } else if (compareMessages && !c.get("error_type").asText().equals("SyntaxError")) {
                // (a Python SyntaxError names a line of jinja2's generated code, so only its kind is compared)
                assertTrue(e.getMessage().contains(expected), "expected jinja2's message '" + expected + "', got '"
                        + e.getMessage() + "'");
            }
        }
    }
}
