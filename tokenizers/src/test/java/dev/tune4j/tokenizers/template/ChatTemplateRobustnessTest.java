package dev.tune4j.tokenizers.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Malformed and hostile templates fail with clear exceptions, never a stack overflow or a hang. */
@Timeout(60)
class ChatTemplateRobustnessTest {

    private static TemplateSyntaxException syntaxError(String template) {
        return assertThrows(TemplateSyntaxException.class, () -> ChatTemplate.compile(template));
    }

    @Test
    void hundredThousandNestedIfsAreRejected() {
        String t = "{% if true %}".repeat(100_000) + "x" + "{% endif %}".repeat(100_000);
        TemplateSyntaxException e = syntaxError(t);
        assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
    }

    @Test
    void deeplyNestedExpressionsAreRejected() {
        for (String t : List.of(
                "{{ " + "(".repeat(100_000) + "1" + ")".repeat(100_000) + " }}",
                "{{ " + "[".repeat(100_000) + "]".repeat(100_000) + " }}",
                "{{ " + "- ".repeat(100_000) + "1 }}",
                "{{ " + "not ".repeat(100_000) + "x }}",
                "{{ " + "1 + ".repeat(100_000) + "1 }}",
                "{{ x" + "|trim".repeat(100_000) + " }}",
                "{{ x" + ".a".repeat(100_000) + " }}",
                "{{ " + "1 if x else ".repeat(100_000) + "2 }}")) {
            TemplateSyntaxException e = syntaxError(t);
            assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
        }
    }

    @Test
    void nestingWithinTheLimitWorks() {
        String t = "{% for i in [1] %}".repeat(50) + "{{ " + "(".repeat(50) + "1 + 1" + ")".repeat(50) + " }}"
                + "{% endfor %}".repeat(50);
        assertEquals("2", ChatTemplate.compile(t).render(Map.of()));
        String chain = "{{ 0" + " + 1".repeat(150) + " }}";
        assertEquals("150", ChatTemplate.compile(chain).render(Map.of()));
    }

    @Test
    void unterminatedTagsNameTheProblemAndPosition() {
        TemplateSyntaxException e = syntaxError("line one\n  {% if x");
        assertEquals(2, e.line());
        assertEquals(3, e.column());
        assertTrue(e.getMessage().contains("expected '%}'"), e.getMessage());
        assertTrue(syntaxError("{{ x ").getMessage().contains("expected '}}'"));
        assertTrue(syntaxError("a {# never closed").getMessage().contains("missing end of comment tag"));
        assertTrue(syntaxError("{% raw %} x").getMessage().contains("missing end of raw directive"));
        assertTrue(syntaxError("{% if x %}no end").getMessage().contains("never closed"));
        assertTrue(syntaxError("{% for m in messages %}{% if m %}{% endfor %}").getMessage().contains("innermost open block 'if'"));
        assertTrue(syntaxError("{{ 'abc }}").getMessage().contains("unterminated string"));
        assertTrue(syntaxError("{{ (1 }}").getMessage().contains("expected"));
        assertTrue(syntaxError("{{ 1) }}").getMessage().contains("unexpected ')'"));
        assertTrue(syntaxError("{% endif %}").getMessage().contains("unknown tag 'endif'"));
        assertTrue(syntaxError("{% include 'x.j2' %}").getMessage().contains("not supported"));
        assertTrue(syntaxError("{{ }}").getMessage().contains("expected an expression"));
        assertTrue(syntaxError("{% break %}").getMessage().contains("'break' outside loop"));
    }

    @Test
    void unknownFiltersAndTestsFailAtCompileTime() {
        TemplateSyntaxException e = syntaxError("a\n{{ x | frobnicate }}");
        assertTrue(e.getMessage().contains("No filter named 'frobnicate'."), e.getMessage());
        assertEquals(2, e.line());
        assertTrue(syntaxError("{{ x is frobnicated }}").getMessage().contains("No test named 'frobnicated'."));
        assertTrue(syntaxError("{% if false %}{% for i in x %}{{ i|frobnicate }}{% endfor %}{% endif %}")
                .getMessage().contains("No filter named 'frobnicate'."));
    }

    /** As in jinja2, an if-statement may probe optional filters; the error comes only if the branch runs. */
    @Test
    void unknownFiltersInsideIfFailOnlyWhenReached() {
        ChatTemplate t = ChatTemplate.compile("{% if x is string %}{{ x|from_json }}{% else %}ok{% endif %}");
        assertEquals("ok", t.render(Map.of("x", 1)));
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(Map.of("x", "{}")));
        assertEquals("No filter named 'from_json' found.", e.getMessage());
    }

    @Test
    void runawayMacroRecursionFailsCleanly() {
        ChatTemplate t = ChatTemplate.compile("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(Map.of()));
        assertTrue(e.getMessage().contains("RecursionError"), e.getMessage());
        ChatTemplate loop = ChatTemplate.compile("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}");
        assertThrows(TemplateException.class, () -> loop.render(Map.of()));
    }

    @Test
    void hugeRangesAreRefusedLikeTheSandbox() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> ChatTemplate.compile("{% for i in range(10 ** 9) %}{% endfor %}").render(Map.of()));
        assertTrue(e.getMessage().contains("MAX_RANGE"), e.getMessage());
    }

    @Test
    void deeplyNestedDataDoesNotOverflowTheStack() {
        Object nested = "leaf";
        for (int i = 0; i < 100_000; i++) {
            nested = List.of(nested);
        }
        Map<String, Object> ctx = Map.of("x", nested);
        assertThrows(TemplateException.class, () -> ChatTemplate.compile("{{ x|tojson }}").render(ctx));
        assertThrows(TemplateException.class, () -> ChatTemplate.compile("{{ x }}").render(ctx));
    }

    @Test
    void largeOutputIsFine() {
        String out = ChatTemplate.compile("{% for i in range(100000) %}{{ i % 10 }}{% endfor %}").render(Map.of());
        assertEquals(100_000, out.length());
    }

    @Test
    void undefinedMisuseRaisesJinjaMessages() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> ChatTemplate.compile("{{ messages[0].content.strip() }}").render(Map.of()));
        assertEquals("'messages' is undefined", e.getMessage());
        e = assertThrows(TemplateException.class,
                () -> ChatTemplate.compile("{{ m.tool_calls[0] }}").render(Map.of("m", Map.of())));
        assertEquals("'dict object' has no attribute 'tool_calls'", e.getMessage());
    }

    @Test
    void compiledTemplateIsReusableAcrossThreads() throws Exception {
        ChatTemplate t = ChatTemplate.compile("{% set ns = namespace(n=0) %}{% for m in messages %}"
                + "{% set ns.n = ns.n + m|length %}{% endfor %}{{ who }}={{ ns.n }}");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int k = i;
                results.add(pool.submit(() -> {
                    Map<String, Object> ctx = new HashMap<>();
                    ctx.put("who", "t" + k);
                    ctx.put("messages", java.util.Collections.nCopies(k % 7, "abc"));
                    return t.render(ctx);
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals("t" + i + "=" + (3 * (i % 7)), results.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Random token soup: whatever the input, the only exception is TemplateException (syntax or runtime). */
    @Test
    void randomTokenSoupOnlyEverRaisesTemplateException() {
        String[] pieces = {"{{", "}}", "{%", "%}", "{#", "#}", "-", "+", "if", "for", "in", "endif", "endfor", "else",
            "elif", "set", "=", "x", "y", "1", "2.5", "'s'", "\"t\"", "(", ")", "[", "]", "{", "}", ",", ":", ".", "|",
            "upper", "trim", "is", "not", "defined", "and", "or", "macro", "endmacro", "call", "endcall", "raw",
            "endraw", "filter", "endfilter", "with", "endwith", "loop", "recursive", "*", "**", "/", "//", "%", "~",
            "==", "<", "!=", "\n", " ", "namespace", "ns", "break", "continue", "generation", "endgeneration",
            "caller", "range", "tojson", "select", "map", "'\\u00'", "e", "safe", "none", "items", "()", "d", "l"};
        Map<String, Object> ctx = Map.of("x", 3, "y", "str", "d", Map.of("k", 1), "l", List.of(1, 2));
        java.util.Random random = new java.util.Random(42);
        int rendered = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder t = new StringBuilder();
            int n = 1 + random.nextInt(25);
            for (int j = 0; j < n; j++) {
                t.append(pieces[random.nextInt(pieces.length)]).append(random.nextBoolean() ? " " : "");
            }
            try {
                ChatTemplate.compile(t.toString()).render(ctx);
                rendered++;
            } catch (TemplateException expected) {
                // syntax or runtime error reported the documented way
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("template " + t + " raised " + e, e);
            }
        }
        assertTrue(rendered > 1000, "the soup should also contain valid templates, rendered " + rendered);
    }

    @Test
    void contextAcceptsJavaNumberTypesAndNull() {
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("i", 3);
        ctx.put("f", 1.5f);
        ctx.put("n", null);
        ctx.put("arr", new Object[] {1, "a"});
        assertEquals("4 2.5 None True [1, 'a']", ChatTemplate.compile(
                "{{ i + 1 }} {{ f + 1 }} {{ n }} {{ n is none }} {{ arr }}").render(ctx));
    }
}
