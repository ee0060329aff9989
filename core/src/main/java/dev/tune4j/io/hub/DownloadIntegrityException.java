package dev.tune4j.io.hub;

/**
 * A downloaded file does not match what the hub announced: its sha256 (LFS files) or git blob
 * hash differs from the ETag, or its size from the announced size. The partial file has been
 * deleted, so nothing of it stays in the cache (huggingface_hub reports a size mismatch as
 * "Consistency check failed").
 */
public class DownloadIntegrityException extends HubException {
    private static final long serialVersionUID = 1L;

    private final String filename;
    private final String expected;
    private final String found;

    public DownloadIntegrityException(String message, String filename, String expected, String found) {
        super(message);
        this.filename = filename;
        this.expected = expected;
        this.found = found;
    }

    /** The file's path in the repo. */
    public String filename() {
        return filename;
    }

    /** The announced hash or size. */
    public String expected() {
        return expected;
    }

    /** The hash or size of what arrived. */
    public String found() {
        return found;
    }
}
