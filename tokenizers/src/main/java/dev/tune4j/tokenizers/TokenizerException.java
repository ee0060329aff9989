package dev.tune4j.tokenizers;

/**
 * Unchecked error raised for malformed tokenizer files, unknown components and invalid requests.
 *
 * <p>Messages name the file (when known), the JSON path of the offending value, what was expected
 * and what was found, e.g. {@code tokenizer.json: $.pre_tokenizer.type: unknown pre-tokenizer
 * "Foo" (expected one of ...)}.
 */
public class TokenizerException extends RuntimeException {
    /** Creates an exception with the given message. */
    public TokenizerException(String message) {
        super(message);
    }

    /** Creates an exception with the given message and cause. */
    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
