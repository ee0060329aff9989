package dev.tune4j.io.hub;

/**
 * What the HEAD of a file tells ({@code HfFileMetadata}): the commit it resolves to, its ETag
 * (the blob name), its size and where to download it from.
 */
record FileMetadata(String commit, String etag, long size, String location) {
    /** The hub's answer lacks what a download needs ({@code FileMetadataError}); the cache may still serve. */
    static final class Invalid extends HubException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Reads the metadata as {@code get_hf_file_metadata} does: {@code X-Linked-Etag} (an LFS
     * file's sha256) before {@code ETag}, {@code X-Linked-Size} before {@code Content-Length},
     * the redirect's {@code Location} (a CDN) before the URL itself.
     */
    static FileMetadata of(HttpTransport.Head head, String url) {
        if (head.repoCommit() == null) {
            throw new Invalid(url + " sent no X-Repo-Commit header: the server does not look like a Hugging Face hub"
                    + " (check HF_ENDPOINT and any proxy)");
        }
        String etag = HubNames.normalizeEtag(head.linkedEtag() != null ? head.linkedEtag() : head.etag());
        if (etag == null || etag.isEmpty()) {
            throw new Invalid(url + " sent no ETag: the download could not be verified or named in the cache");
        }
        long size = head.linkedSize() >= 0 ? head.linkedSize() : head.contentLength();
        if (size < 0) {
            throw new Invalid(url + " sent no X-Linked-Size or Content-Length");
        }
        String commit = HubNames.requireSegment(head.repoCommit().strip(), "X-Repo-Commit", url);
        HubNames.requireSegment(etag, "ETag", url);
        String location = head.location() != null ? head.location() : head.url();
        return new FileMetadata(commit, etag, size, location);
    }
}
