package dev.tune4j.io.safetensors;

/**
 * A safetensors file, index or checkpoint directory that cannot be read or written.
 *
 * <p>Messages name the file and, where one is involved, the tensor, with what was expected
 * against what was found. I/O failures are wrapped too, so callers handle one unchecked type
 * (the Python library raises {@code SafetensorError} for the same cases).
 */
public class SafetensorsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
