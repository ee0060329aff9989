package dev.tune4j.tokenizers;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place that talks to the Jinja2 interpreter of {@code dev.tune4j.tokenizers.template}
 * ({@code ChatTemplate.compile(source).render(context)}). It is reached reflectively so that this
 * package does not depend on that one at compile time; compiled templates are cached per source.
 */
final class ChatTemplates {
    private static final String CLASS = "dev.tune4j.tokenizers.template.ChatTemplate";
    private static final Map<String, Object> COMPILED = new ConcurrentHashMap<>();

    private ChatTemplates() {}

    /** Whether the template interpreter is on the class path. */
    static boolean available() {
        try {
            Class.forName(CLASS);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Renders {@code source} with {@code context}; template errors propagate unchanged. */
    static String render(String source, Map<String, Object> context) {
        try {
            Class<?> c = Class.forName(CLASS);
            Object compiled = COMPILED.get(source);
            if (compiled == null) {
                Method compile = c.getMethod("compile", String.class);
                compiled = compile.invoke(null, source);
                if (COMPILED.size() < 64) {
                    COMPILED.put(source, compiled);
                }
            }
            Method render = c.getMethod("render", Map.class);
            return (String) render.invoke(compiled, context);
        } catch (ClassNotFoundException e) {
            throw new TokenizerException("chat templates need " + CLASS + " on the class path", e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new TokenizerException("chat template failed: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new TokenizerException("chat template interpreter has an unexpected API: " + e, e);
        }
    }
}
