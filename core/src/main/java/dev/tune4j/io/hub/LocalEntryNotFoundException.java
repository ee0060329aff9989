package dev.tune4j.io.hub;

/**
 * The hub could not be used (offline mode, no connection, timeout, server error) and the file or
 * snapshot is not in the cache (huggingface_hub: {@code LocalEntryNotFoundError}). The cause, when
 * there is one, is what went wrong with the network.
 */
public class LocalEntryNotFoundException extends HubException {
    private static final long serialVersionUID = 1L;

    public LocalEntryNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
