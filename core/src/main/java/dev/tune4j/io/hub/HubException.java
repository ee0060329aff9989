package dev.tune4j.io.hub;

/**
 * A hub download or cache lookup that failed (huggingface_hub raises subclasses of
 * {@code OSError} / {@code HfHubHTTPError} for the same cases).
 *
 * <p>Messages name the repo, the file and the revision, and never contain the token.
 */
public class HubException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
