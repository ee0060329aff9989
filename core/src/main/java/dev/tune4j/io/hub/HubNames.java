package dev.tune4j.io.hub;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks and encodes the names that go into URLs and cache paths: repo ids, revisions, file
 * names, ETags and commit hashes. Names that come from the server are untrusted: one that could
 * step out of the cache folder is rejected.
 */
final class HubNames {
    /** huggingface_hub's {@code REGEX_COMMIT_HASH}. */
    static final Pattern COMMIT_HASH = Pattern.compile("^[0-9a-f]{40}$");
    /** huggingface_hub's {@code REGEX_SHA256}: the ETag of an LFS file is the sha256 of its content. */
    static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    /** huggingface_hub's {@code REPO_ID_REGEX} ({@code \w} is Unicode-aware in Python 3 as here). */
    private static final Pattern REPO_ID = Pattern.compile("^(\\b[\\w\\-.]+\\b/)?\\b[\\w\\-.]+\\b$",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern SAFE_SEGMENT = Pattern.compile("^[A-Za-z0-9._-]+$");

    private HubNames() {}

    /** Whether {@code id} is a valid repo id ({@code validate_repo_id} without raising). */
    static boolean isRepoId(String id) {
        return id != null && !id.isEmpty() && id.length() <= 96 && REPO_ID.matcher(id).matches()
                && !id.contains("--") && !id.contains("..") && !id.endsWith(".git");
    }

    static String requireRepoId(String id) {
        if (!isRepoId(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a valid hub repo id: expected 'name' or"
                    + " 'namespace/name' of letters, digits, '-', '_' and '.', at most 96 characters,"
                    + " without '--' or '..' and not ending in '.git'");
        }
        return id;
    }

    /** A revision used as a path under {@code refs/} (branches may hold '/', as {@code refs/pr/1}). */
    static String requireRevision(String revision) {
        if (revision == null || revision.isEmpty()) {
            throw new IllegalArgumentException("revision must not be empty (default: \"main\")");
        }
        requireRelative(revision, "revision");
        return revision;
    }

    /** A file path inside a repo: '/'-separated, relative, without '.' or '..' segments. */
    static String requireFilename(String filename, String repoId) {
        if (filename == null || filename.isEmpty()) {
            throw new IllegalArgumentException(repoId + ": file name must not be empty");
        }
        requireRelative(filename, repoId + ": file name");
        return filename;
    }

    /** A single path segment from a server header (ETag, commit): plain characters only. */
    static String requireSegment(String value, String what, String url) {
        if (value == null || !SAFE_SEGMENT.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new HubException(url + ": " + what + " '" + value + "' cannot name a cache entry"
                    + " (expected letters, digits, '.', '_' or '-')");
        }
        return value;
    }

    private static void requireRelative(String path, String what) {
        if (path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " '" + path + "' must be a relative path with '/' separators");
        }
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException(what + " '" + path + "' has an empty, '.' or '..' segment");
            }
        }
    }

    /**
     * Python's {@code urllib.parse.quote(s, safe)}: UTF-8, letters, digits and {@code _.-~} kept,
     * as are the characters of {@code safe}; everything else percent-encoded in upper case.
     */
    static String quote(String s, String safe) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean keep = c < 0x80 && (Character.isLetterOrDigit(c) || "_.-~".indexOf(c) >= 0 || safe.indexOf(c) >= 0);
            if (keep) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** {@code {endpoint}/{repo_id}/resolve/{quote(revision, safe="")}/{quote(filename)}} ({@code hf_hub_url}). */
    static String resolveUrl(String endpoint, String repoId, String revision, String filename) {
        return endpoint + "/" + repoId + "/resolve/" + quote(revision, "") + "/" + quote(filename, "/");
    }

    /** {@code {endpoint}/api/models/{repo_id}/revision/{quote(revision, safe="")}} ({@code HfApi.model_info}). */
    static String modelInfoUrl(String endpoint, String repoId, String revision) {
        return endpoint + "/api/models/" + repoId + "/revision/" + quote(revision, "");
    }

    /**
     * huggingface_hub's {@code _normalize_etag}: drops the weak-validator prefix {@code W/} and the
     * quotes. (Python strips any leading 'W' and '/' characters; the hub's ETags are hex, so the two agree.)
     */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        int start = 0;
        int end = e.length();
        while (start < end && e.charAt(start) == '"') {
            start++;
        }
        while (end > start && e.charAt(end - 1) == '"') {
            end--;
        }
        return e.substring(start, end);
    }
}
