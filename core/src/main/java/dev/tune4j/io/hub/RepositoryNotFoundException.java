package dev.tune4j.io.hub;

/**
 * The repo does not exist, or is private and the token (if any) has no access
 * (huggingface_hub: {@code RepositoryNotFoundError}).
 */
public class RepositoryNotFoundException extends HubHttpException {
    private static final long serialVersionUID = 1L;

    private final String repoId;

    public RepositoryNotFoundException(String message, int statusCode, String url, String repoId) {
        super(message, statusCode, url);
        this.repoId = repoId;
    }

    public String repoId() {
        return repoId;
    }
}
