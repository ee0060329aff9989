package dev.tune4j.io.hub;

/**
 * The hub refused access (HTTP 401 or 403): the repo is gated or private and no token, or a
 * token without access, was sent (huggingface_hub: {@code GatedRepoError}). The message says to
 * set {@code HF_TOKEN}; it never contains the token.
 */
public class GatedRepoException extends HubHttpException {
    private static final long serialVersionUID = 1L;

    private final String repoId;

    public GatedRepoException(String message, int statusCode, String url, String repoId) {
        super(message, statusCode, url);
        this.repoId = repoId;
    }

    public String repoId() {
        return repoId;
    }
}
