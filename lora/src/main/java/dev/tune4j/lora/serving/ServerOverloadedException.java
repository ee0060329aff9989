package dev.tune4j.lora.serving;

/**
 * The request queue of a {@link LoraServer} is full (or the server is closed): the request was
 * refused before any work was done and may be retried later (HTTP 429 / 503).
 */
public final class ServerOverloadedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServerOverloadedException(String message) {
        super(message);
    }
}
