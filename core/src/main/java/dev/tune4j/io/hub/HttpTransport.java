package dev.tune4j.io.hub;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The few HTTP exchanges the hub client needs, over {@link HttpURLConnection}. That client is
 * used rather than {@code java.net.http.HttpClient} because its read timeout applies to every
 * read of the body: a download that stalls half-way fails after {@code downloadTimeout} and is
 * resumed, which HttpClient's request timeout (headers only) cannot do.
 *
 * <p>The token goes only into the {@code Authorization} header of requests to the endpoint's own
 * host; it is dropped on a redirect to another host (a CDN), as huggingface_hub and requests do,
 * and it never appears in a message or a log line.
 */
final class HttpTransport {
    static final String USER_AGENT = "tune4j; java/" + Runtime.version().feature();
    private static final int MAX_REDIRECTS = 10;
    private static final long MAX_JSON_BYTES = 256L << 20;

    private final HubSettings settings;

    HttpTransport(HubSettings settings) {
        this.settings = settings;
    }

    /** What a request was about, for error messages: the file is null for repo-level requests. */
    record Target(String repoId, String revision, String filename) {}

    /** Status and headers of a HEAD request. */
    record Head(int status, String url, String location, String repoCommit, String etag, String linkedEtag,
                long linkedSize, long contentLength, String errorCode, String errorMessage) {}

    /** An open GET response body; close it to release the connection. */
    static final class Body implements Closeable {
        final int status;
        final long contentLength;
        final String contentRange;
        final InputStream in;
        private final HttpURLConnection conn;

        private Body(HttpURLConnection conn, int status, InputStream in) {
            this.conn = conn;
            this.status = status;
            this.contentLength = conn.getContentLengthLong();
            this.contentRange = conn.getHeaderField("Content-Range");
            this.in = in;
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                if (status != HttpURLConnection.HTTP_OK && status != HttpURLConnection.HTTP_PARTIAL) {
                    conn.disconnect();
                }
            }
        }
    }

    /**
     * HEAD of a file URL without following redirects to other hosts (the Location of an LFS file
     * is its CDN address, which the download then uses), following relative ones (a renamed repo),
     * as {@code get_hf_file_metadata} does. Error statuses are returned too (their
     * {@code X-Repo-Commit} matters for a missing file); {@link #error} turns them into exceptions.
     */
    Head head(String url, Target target) throws IOException {
        String current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = open(current, "HEAD", settings.etagTimeout(), true);
            try {
                int status = c.getResponseCode();
                String location = c.getHeaderField("Location");
                if (status >= 300 && status < 400 && location != null && isRelative(location)) {
                    current = resolveLocation(current, location);
                    continue;
                }
                return new Head(status, current, location == null ? null : resolveLocation(current, location),
                        c.getHeaderField("X-Repo-Commit"), c.getHeaderField("ETag"), c.getHeaderField("X-Linked-Etag"),
                        parseLong(c.getHeaderField("X-Linked-Size")), c.getContentLengthLong(),
                        c.getHeaderField("X-Error-Code"), c.getHeaderField("X-Error-Message"));
            } finally {
                drain(c);
            }
        }
        throw new HubException(url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    /** GET of a JSON document (the repo's file listing), following redirects. */
    byte[] getJson(String url, Target target) throws IOException {
        try (Body body = get(url, 0, settings.etagTimeout(), target)) {
            if (body.status != HttpURLConnection.HTTP_OK) {
                throw new HubHttpException("unexpected HTTP " + body.status + " for " + url, body.status, url);
            }
            return readLimited(body.in, MAX_JSON_BYTES, url);
        }
    }

    /**
     * GET of a file from byte {@code from} on (a {@code Range} request when {@code from > 0}),
     * following redirects; the token is sent only while the host is the endpoint's. Returns the
     * open body for 200 and 206; other statuses become exceptions (416 is returned too, for the
     * caller to restart).
     */
    Body get(String url, long from, Duration readTimeout, Target target) throws IOException {
        String current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = open(current, "GET", readTimeout, sameAuthority(current, settings.endpoint()));
            if (from > 0) {
                c.setRequestProperty("Range", "bytes=" + from + "-");
            }
            int status;
            try {
                status = c.getResponseCode();
            } catch (IOException e) {
                c.disconnect();
                throw e;
            }
            if (status >= 300 && status < 400 && c.getHeaderField("Location") != null) {
                String next = resolveLocation(current, c.getHeaderField("Location"));
                c.disconnect();
                current = next;
                continue;
            }
            if (status == HttpURLConnection.HTTP_OK || status == HttpURLConnection.HTTP_PARTIAL) {
                return new Body(c, status, c.getInputStream());
            }
            if (status == 416) {
                InputStream err = c.getErrorStream();
                return new Body(c, status, err != null ? err : InputStream.nullInputStream());
            }
            try {
                throw error(status, c.getHeaderField("X-Error-Code"), c.getHeaderField("X-Error-Message"), current, target);
            } finally {
                drain(c);
            }
        }
        throw new HubException(url + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private HttpURLConnection open(String url, String method, Duration timeout, boolean withToken) throws IOException {
        HttpURLConnection c;
        try {
            URI uri = new URI(url);
            // A redirect may point anywhere: only plain web addresses are followed.
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw new HubException("refusing to fetch " + url + ": only http and https URLs are followed");
            }
            c = (HttpURLConnection) uri.toURL().openConnection();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new HubException("not a valid URL: " + url, e);
        }
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        c.setConnectTimeout(ms);
        c.setReadTimeout(ms);
        c.setRequestProperty("User-Agent", USER_AGENT);
        // No compression: sizes and hashes are those of the file itself (get_hf_file_metadata does the same).
        c.setRequestProperty("Accept-Encoding", "identity");
        if (withToken && settings.token().isPresent()) {
            c.setRequestProperty("Authorization", "Bearer " + settings.token().get());
        }
        return c;
    }

    /** Maps an error status to the exception huggingface_hub's {@code hf_raise_for_status} would raise. */
    HubHttpException error(int status, String code, String serverMessage, String url, Target t) {
        String said = serverMessage == null || serverMessage.isBlank() ? "" : " Server message: " + serverMessage.strip();
        String where = t.filename() == null ? t.repoId() + " at revision '" + t.revision() + "'"
                : "'" + t.filename() + "' in " + t.repoId() + " at revision '" + t.revision() + "'";
        String token = settings.hasToken() ? "the token that was sent was not accepted" : "no token was sent";
        if ("RevisionNotFound".equals(code)) {
            return new RevisionNotFoundException(status + " Revision Not Found: '" + t.revision()
                    + "' is not a branch, tag or commit of " + t.repoId() + " (" + url + ")." + said,
                    status, url, t.repoId(), t.revision());
        }
        if ("EntryNotFound".equals(code) || status == 404 && code == null && t.filename() != null) {
            return new EntryNotFoundException(status + " Entry Not Found: '" + t.filename() + "' does not exist in "
                    + t.repoId() + " at revision '" + t.revision() + "' (" + url + ")." + said,
                    status, url, t.repoId(), t.filename());
        }
        if ("GatedRepo".equals(code) || (status == 401 || status == 403) && !"RepoNotFound".equals(code)) {
            return new GatedRepoException(status + " Access denied to " + where + " (" + url + "): the repo is gated"
                    + " or private and " + token + ". Set HF_TOKEN (or save a token in " + settings.hfHome().resolve("token")
                    + ") to a token that has been granted access." + said, status, url, t.repoId());
        }
        if ("RepoNotFound".equals(code) || status == 404) {
            return new RepositoryNotFoundException(status + " Repository Not Found: " + t.repoId() + " (" + url
                    + "). Check the repo id; if the repo is private or gated, set HF_TOKEN to a token with access ("
                    + token + ")." + said, status, url, t.repoId());
        }
        if (status == 416) {
            return new HubHttpException("416 Range Not Satisfiable for " + where + " (" + url + ")." + said, status, url);
        }
        return new HubHttpException(status + " error from the hub for " + where + " (" + url + ")." + said, status, url);
    }

    /** Whether {@code a} and {@code b} have the same scheme, host and port (requests' "netloc"). */
    static boolean sameAuthority(String a, String b) {
        URI x = URI.create(a);
        URI y = URI.create(b);
        return Objects.equals(lower(x.getScheme()), lower(y.getScheme())) && Objects.equals(lower(x.getHost()), lower(y.getHost()))
                && port(x) == port(y);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String resolveLocation(String current, String location) {
        try {
            return URI.create(current).resolve(new URI(location.strip())).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new HubException(current + " redirected to a malformed Location '" + location + "'", e);
        }
    }

    private static boolean isRelative(String location) {
        try {
            URI u = new URI(location);
            return u.getScheme() == null && u.getHost() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static long parseLong(String v) {
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Reads and drops what is left of a response so the connection can be reused. */
    private static void drain(HttpURLConnection c) {
        try {
            InputStream s = c.getErrorStream();
            if (s != null) {
                try (s) {
                    s.skip(1 << 16);
                }
            }
        } catch (IOException ignored) {
            c.disconnect();
        }
    }

    private static byte[] readLimited(InputStream in, long limit, String url) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) != -1) {
            total += n;
            if (total > limit) {
                throw new HubException(url + ": response larger than " + limit + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
