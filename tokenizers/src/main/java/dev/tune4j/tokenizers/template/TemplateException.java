package dev.tune4j.tokenizers.template;

/**
 * Any failure while compiling or rendering a chat template.
 *
 * <p>Python equivalent: {@code jinja2.exceptions.TemplateError}. A template that calls
 * {@code raise_exception("msg")} aborts rendering with a {@code TemplateException} whose
 * {@link #getMessage()} is exactly {@code "msg"}, as transformers' {@code apply_chat_template}
 * raises {@code TemplateError("msg")}.
 */
public class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with the given message. */
    public TemplateException(String message) {
        super(message);
    }

    /** Creates an exception with the given message and cause. */
    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
