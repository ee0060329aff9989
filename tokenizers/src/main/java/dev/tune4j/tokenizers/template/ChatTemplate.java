package dev.tune4j.tokenizers.template;

import dev.tune4j.tokenizers.template.Node.Stmt;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled Hugging Face chat template: the Jinja2 program in {@code tokenizer_config.json}'s
 * {@code chat_template}, rendered exactly as transformers' {@code apply_chat_template} renders it.
 *
 * <p>Why a purpose-built interpreter rather than a Java Jinja engine: transformers renders with
 * jinja2 3.1 in an {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)},
 * and the prompt must match byte for byte, or the model sees different tokens from those it was
 * trained on. Jinjava, the usual Java choice, diverges on about one template in six (tojson
 * spacing and indent, Python string methods such as {@code .startswith()}, slices like
 * {@code [::-1]}, {@code namespace(x=expr)}, {@code raise_exception} not aborting); Hugging Face's
 * own JavaScript port made the same choice for the same reason. This package implements the part
 * of Jinja2 that chat templates use, with Python's value semantics ({@code str()} of lists and
 * floats, truthiness, slicing, string methods) and jinja2's lexer rules for whitespace.
 *
 * <pre>{@code
 * // Python: tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
 * ChatTemplate t = ChatTemplate.compile(config.get("chat_template").asText());
 * String prompt = t.render(Map.of("messages", messages, "add_generation_prompt", true,
 *                                  "bos_token", "<s>", "eos_token", "</s>"));
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe: compile once, render from any thread. Context values
 * may be {@link Map}s, {@link List}s, {@link String}s, {@link Number}s, {@link Boolean}s, null
 * (Python's None) and Jackson {@code JsonNode} trees; they are copied, never modified. A dict keeps
 * its Map's iteration order, which {@code tojson} and loops print: use {@link java.util.LinkedHashMap}
 * or Jackson trees, not {@link java.util.HashMap}, when that order matters (tool schemas). A name
 * missing from the context is jinja2's {@code Undefined}: it prints nothing, is falsy, iterates as
 * empty and {@code is defined} is false, while reading an attribute of it, calling it or doing
 * arithmetic with it raises, exactly as jinja2's default {@code Undefined} does. Globals: {@code raise_exception(msg)}, {@code strftime_now(fmt)},
 * {@code namespace(...)}, {@code range(...)}, {@code dict(...)}, {@code joiner(sep)}.
 */
public final class ChatTemplate {
    private final String source;
    private final List<Stmt> body;

    private ChatTemplate(String source, List<Stmt> body) {
        this.source = source;
        this.body = body;
    }

    /**
     * Parses a template.
     *
     * @throws TemplateSyntaxException with line and column when the template is malformed, uses an
     *     unknown filter or test, or nests deeper than {@value Parser#MAX_DEPTH} levels
     */
    public static ChatTemplate compile(String source) {
        Objects.requireNonNull(source, "source");
        return new ChatTemplate(source, List.copyOf(Parser.parse(Lexer.normalize(source))));
    }

    /** The template text as given to {@link #compile}. */
    public String source() {
        return source;
    }

    /** Renders with the system clock for {@code strftime_now}. */
    public String render(Map<String, ?> context) {
        return render(context, Clock.systemDefaultZone());
    }

    /**
     * Renders with {@code context} as the template's variables.
     *
     * @param clock the time {@code strftime_now} reports, in the clock's zone
     * @throws TemplateException when the template calls {@code raise_exception(msg)} (the message is
     *     exactly {@code msg}) or fails at runtime as jinja2 would (undefined values used, type errors)
     */
    public String render(Map<String, ?> context, Clock clock) {
        return run(context, clock).text();
    }

    /**
     * Renders and reports the spans of {@code {% generation %}} blocks, as transformers'
     * {@code apply_chat_template(..., return_assistant_tokens_mask=True)} does before mapping
     * them to tokens.
     */
    public RenderedChat renderWithGenerationIndices(Map<String, ?> context, Clock clock) {
        return run(context, clock);
    }

    /** As {@link #renderWithGenerationIndices(Map, Clock)} with the system clock. */
    public RenderedChat renderWithGenerationIndices(Map<String, ?> context) {
        return run(context, Clock.systemDefaultZone());
    }

    private RenderedChat run(Map<String, ?> context, Clock clock) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(clock, "clock");
        Frame globals = new Frame(null, Globals.create(clock));
        try {
            Map<String, Object> vars = new HashMap<>();
            context.forEach((k, v) -> vars.put(k, Py.fromJava(v)));
            Frame root = new Frame(new Frame(globals, vars));
            Interpreter interpreter = new Interpreter(clock);
            String text = interpreter.render(body, root);
            return new RenderedChat(text, interpreter.generationSpans());
        } catch (StackOverflowError e) {
            // Defensive: template nesting is bounded at parse time and macro depth at run time, but
            // caller data (lists nested thousands deep) could still exhaust the thread stack.
            throw new TemplateException("template rendering nested too deeply for the thread stack");
        }
    }
}
