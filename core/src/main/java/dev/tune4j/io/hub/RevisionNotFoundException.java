package dev.tune4j.io.hub;

/** The repo exists but not the branch, tag or commit asked for (huggingface_hub: {@code RevisionNotFoundError}). */
public class RevisionNotFoundException extends HubHttpException {
    private static final long serialVersionUID = 1L;

    private final String repoId;
    private final String revision;

    public RevisionNotFoundException(String message, int statusCode, String url, String repoId, String revision) {
        super(message, statusCode, url);
        this.repoId = repoId;
        this.revision = revision;
    }

    public String repoId() {
        return repoId;
    }

    public String revision() {
        return revision;
    }
}
