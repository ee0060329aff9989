package dev.tune4j.io.hub;

/** The hub answered with an HTTP error status (huggingface_hub: {@code HfHubHTTPError}). */
public class HubHttpException extends HubException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String url;

    public HubHttpException(String message, int statusCode, String url) {
        super(message);
        this.statusCode = statusCode;
        this.url = url;
    }

    /** The HTTP status, e.g. 404. */
    public int statusCode() {
        return statusCode;
    }

    /** The URL that was requested. */
    public String url() {
        return url;
    }
}
