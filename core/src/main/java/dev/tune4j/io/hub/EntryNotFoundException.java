package dev.tune4j.io.hub;

/**
 * The repo and revision exist but not the file (huggingface_hub: {@code EntryNotFoundError}).
 * Also thrown offline when the cache records the file as absent at that commit.
 */
public class EntryNotFoundException extends HubHttpException {
    private static final long serialVersionUID = 1L;

    private final String repoId;
    private final String filename;

    public EntryNotFoundException(String message, int statusCode, String url, String repoId, String filename) {
        super(message, statusCode, url);
        this.repoId = repoId;
        this.filename = filename;
    }

    public String repoId() {
        return repoId;
    }

    public String filename() {
        return filename;
    }
}
