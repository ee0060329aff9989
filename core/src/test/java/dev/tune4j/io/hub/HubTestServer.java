package dev.tune4j.io.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face hub in miniature on 127.0.0.1 (an ephemeral port): the repo listing
 * {@code /api/models/{repo}/revision/{rev}}, {@code /{repo}/resolve/{rev}/{file}} for HEAD and
 * GET with the hub's headers (ETag, X-Repo-Commit, X-Linked-Etag, X-Linked-Size, X-Error-Code),
 * LFS files redirected to a second server standing for the CDN, and Range requests. Knobs make
 * it misbehave on purpose: error statuses, truncated or stalled bodies, corrupted bytes, wrong
 * ETags, slow HEADs, ignored Range headers, a required token.
 *
 * <p>The expected headers are computed here from the payload bytes (git blob sha1, sha256), not
 * by the code under test. {@link #close()} stops both servers and joins every handler thread.
 */
final class HubTestServer implements AutoCloseable {
    static final String THREAD_PREFIX = "hub-test-server-";

    /** One request as the server saw it. */
    record Request(String server, String method, String path, String range, String authorization) {}

    /** A repo: its files at one commit; revisions are "main" and the commit itself, plus tags. */
    static final class Repo {
        final String id;
        final String commit;
        final Map<String, byte[]> files = new LinkedHashMap<>();
        final Set<String> lfs = ConcurrentHashMap.newKeySet();
        final Map<String, String> revisions = new ConcurrentHashMap<>();

        Repo(String id, String commit) {
            this.id = id;
            this.commit = commit;
            revisions.put("main", commit);
            revisions.put(commit, commit);
        }

        Repo file(String name, byte[] content) {
            files.put(name, content);
            return this;
        }

        Repo lfsFile(String name, byte[] content) {
            files.put(name, content);
            lfs.add(name);
            return this;
        }

        Repo tag(String name) {
            revisions.put(name, commit);
            return this;
        }
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService pool;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    // Knobs, keyed by file name in the repo.
    private final Map<String, int[]> failures = new ConcurrentHashMap<>(); // file -> {status, remaining}
    private final Map<String, String> failureCodes = new ConcurrentHashMap<>();
    private final Map<String, long[]> truncations = new ConcurrentHashMap<>(); // file -> {afterBytes, remaining}
    private final Map<String, long[]> stalls = new ConcurrentHashMap<>(); // file -> {afterBytes, millis, remaining}
    private final Set<String> corrupted = ConcurrentHashMap.newKeySet();
    private final Set<String> wrongEtags = ConcurrentHashMap.newKeySet();
    private volatile boolean ignoreRange;
    private volatile long headDelayMillis;
    private volatile long getBodyDelayMillis;
    private volatile String requiredToken;
    private volatile int apiFailure;
    private volatile String apiFailureCode;

    private HubTestServer() throws IOException {
        AtomicInteger ids = new AtomicInteger();
        pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, THREAD_PREFIX + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.setExecutor(pool);
        cdn.setExecutor(pool);
        hub.createContext("/", ex -> handle(ex, "hub"));
        cdn.createContext("/", ex -> handle(ex, "cdn"));
        hub.start();
        cdn.start();
    }

    static HubTestServer start() {
        try {
            return new HubTestServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The endpoint to use as HF_ENDPOINT. */
    String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    Repo repo(String id, String commit) {
        Repo r = new Repo(id, commit);
        repos.put(id, r);
        return r;
    }

    /** A repo holding the files of a local folder; names in {@code lfs} are served as LFS files. */
    Repo repoFromFolder(String id, String commit, Path dir, List<String> names, Set<String> lfs) {
        Repo r = repo(id, commit);
        for (String n : names) {
            try {
                byte[] b = Files.readAllBytes(dir.resolve(n));
                if (lfs.contains(n)) {
                    r.lfsFile(n, b);
                } else {
                    r.file(n, b);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return r;
    }

    // ------------------------------------------------------------------------------- knobs

    /** The next {@code times} requests (HEAD or GET) for {@code file} answer {@code status}, with an X-Error-Code if given. */
    HubTestServer fail(String file, int status, String errorCode, int times) {
        failures.put(file, new int[] {status, times});
        if (errorCode != null) {
            failureCodes.put(file, errorCode);
        }
        return this;
    }

    /** The repo listing answers {@code status} (0: normal). */
    HubTestServer failApi(int status, String errorCode) {
        apiFailure = status;
        apiFailureCode = errorCode;
        return this;
    }

    /** The next {@code times} GETs of {@code file} announce the full length but close after {@code afterBytes}. */
    HubTestServer truncate(String file, long afterBytes, int times) {
        truncations.put(file, new long[] {afterBytes, times});
        return this;
    }

    /** The next {@code times} GETs of {@code file} send {@code afterBytes}, then pause {@code millis}. */
    HubTestServer stall(String file, long afterBytes, long millis, int times) {
        stalls.put(file, new long[] {afterBytes, millis, times});
        return this;
    }

    /** {@code file} is served with one byte changed (headers still those of the true content). */
    HubTestServer corrupt(String file) {
        corrupted.add(file);
        return this;
    }

    /** {@code file}'s ETag (X-Linked-Etag for LFS) is the hash of other content. */
    HubTestServer wrongEtag(String file) {
        wrongEtags.add(file);
        return this;
    }

    HubTestServer ignoreRange(boolean on) {
        ignoreRange = on;
        return this;
    }

    HubTestServer headDelay(long millis) {
        headDelayMillis = millis;
        return this;
    }

    /** Every GET of a file body waits {@code millis} before its headers (to make downloads overlap). */
    HubTestServer getDelay(long millis) {
        getBodyDelayMillis = millis;
        return this;
    }

    /** Requests to the hub without {@code Authorization: Bearer token} get 401. */
    HubTestServer requireToken(String token) {
        requiredToken = token;
        return this;
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    long count(String method, String pathContains) {
        return requests().stream().filter(r -> r.method().equals(method) && r.path().contains(pathContains)).count();
    }

    // ------------------------------------------------------------------------------- hashes

    static String sha256(byte[] b) {
        return hex("SHA-256", new byte[0], b);
    }

    /** Git's object id of a blob: sha1 of "blob {size}\0" + content (the hub's ETag of a regular file). */
    static String gitSha1(byte[] b) {
        return hex("SHA-1", ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII), b);
    }

    /** The git-lfs pointer file that git stores in place of an LFS file. */
    static byte[] lfsPointer(byte[] content) {
        return ("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256(content) + "\nsize " + content.length
                + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(String algo, byte[] prefix, byte[] b) {
        try {
            MessageDigest md = MessageDigest.getInstance(algo);
            md.update(prefix);
            return HexFormat.of().formatHex(md.digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------- serving

    private void handle(HttpExchange ex, String server) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        requests.add(new Request(server, ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"), auth));
        try {
            if (server.equals("cdn")) {
                serveCdn(ex, path);
            } else if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
                ex.getResponseHeaders().set("X-Error-Message", "Invalid credentials in Authorization header");
                send(ex, 401, new byte[0]);
            } else if (path.startsWith("/api/models/")) {
                serveListing(ex, path);
            } else if (path.contains("/resolve/")) {
                serveResolve(ex, path);
            } else {
                send(ex, 404, new byte[0]);
            }
        } catch (IOException e) {
            // The client went away or the body was cut short on purpose.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ex.close();
        }
    }

    private void serveListing(HttpExchange ex, String path) throws IOException {
        String rest = path.substring("/api/models/".length());
        int at = rest.indexOf("/revision/");
        Repo repo = repos.get(at < 0 ? rest : rest.substring(0, at));
        if (apiFailure != 0) {
            errorCode(ex, apiFailureCode);
            send(ex, apiFailure, new byte[0]);
            return;
        }
        if (repo == null) {
            errorCode(ex, "RepoNotFound");
            send(ex, 401, new byte[0]);
            return;
        }
        String rev = at < 0 ? "main" : decode(rest.substring(at + "/revision/".length()));
        String commit = repo.revisions.get(rev);
        if (commit == null) {
            errorCode(ex, "RevisionNotFound");
            send(ex, 404, new byte[0]);
            return;
        }
        StringBuilder json = new StringBuilder("{\"_id\":\"x\",\"id\":\"" + repo.id + "\",\"sha\":\"" + commit
                + "\",\"siblings\":[");
        int i = 0;
        for (String f : repo.files.keySet()) {
            json.append(i++ > 0 ? "," : "").append("{\"rfilename\":\"").append(f).append("\"}");
        }
        json.append("]}");
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, 200, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void serveResolve(HttpExchange ex, String path) throws IOException, InterruptedException {
        int at = path.indexOf("/resolve/");
        Repo repo = repos.get(path.substring(1, at));
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head && headDelayMillis > 0) {
            Thread.sleep(headDelayMillis);
        }
        if (repo == null) {
            errorCode(ex, "RepoNotFound");
            send(ex, 401, new byte[0]);
            return;
        }
        String rest = path.substring(at + "/resolve/".length());
        int slash = rest.indexOf('/');
        String rev = decode(rest.substring(0, slash));
        String file = decode(rest.substring(slash + 1));
        String commit = repo.revisions.get(rev);
        if (commit == null) {
            errorCode(ex, "RevisionNotFound");
            send(ex, 404, new byte[0]);
            return;
        }
        Headers h = ex.getResponseHeaders();
        h.set("X-Repo-Commit", commit);
        int[] failure = failures.get(file);
        if (failure != null && failure[1] > 0) {
            failure[1]--;
            errorCode(ex, failureCodes.get(file));
            send(ex, failure[0], new byte[0]);
            return;
        }
        byte[] content = repo.files.get(file);
        if (content == null) {
            errorCode(ex, "EntryNotFound");
            send(ex, 404, new byte[0]);
            return;
        }
        boolean wrong = wrongEtags.contains(file);
        if (repo.lfs.contains(file)) {
            String sha = wrong ? sha256(("not " + file).getBytes(StandardCharsets.UTF_8)) : sha256(content);
            h.set("ETag", "\"" + gitSha1(lfsPointer(content)) + "\"");
            h.set("X-Linked-Etag", "\"" + sha + "\"");
            h.set("X-Linked-Size", Long.toString(content.length));
            h.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/lfs/" + repo.id + "/"
                    + sha256(content) + "?file=" + encodeQuery(file));
            h.set("Content-Length", "0");
            ex.sendResponseHeaders(302, -1);
            return;
        }
        String etag = wrong ? gitSha1(("not " + file).getBytes(StandardCharsets.UTF_8)) : gitSha1(content);
        h.set("ETag", "\"" + etag + "\"");
        serveBody(ex, content, file, head);
    }

    private void serveCdn(HttpExchange ex, String path) throws IOException, InterruptedException {
        // /lfs/{org}/{name}/{sha256}?file=...
        String query = ex.getRequestURI().getRawQuery();
        String file = query == null ? "" : decode(query.substring("file=".length()));
        String[] parts = path.split("/");
        String sha = parts[parts.length - 1];
        Repo repo = repos.get(parts[2] + "/" + parts[3]);
        byte[] content = repo == null ? null : repo.files.get(file);
        if (content == null || !sha256(content).equals(sha)) {
            send(ex, 404, new byte[0]);
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + sha + "\"");
        serveBody(ex, content, file, ex.getRequestMethod().equals("HEAD"));
    }

    private void serveBody(HttpExchange ex, byte[] content, String file, boolean head)
            throws IOException, InterruptedException {
        Headers h = ex.getResponseHeaders();
        h.set("Accept-Ranges", "bytes");
        if (head) {
            h.set("Content-Length", Long.toString(content.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        if (getBodyDelayMillis > 0) {
            Thread.sleep(getBodyDelayMillis);
        }
        byte[] body = content;
        if (corrupted.contains(file)) {
            body = content.clone();
            body[body.length / 2] ^= 0x5a;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        int status = 200;
        if (range != null && !ignoreRange) {
            from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
            if (from >= body.length) {
                h.set("Content-Range", "bytes */" + body.length);
                send(ex, 416, new byte[0]);
                return;
            }
            status = 206;
            h.set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        int len = body.length - from;
        long[] cut = truncations.get(file);
        long[] stall = stalls.get(file);
        ex.sendResponseHeaders(status, len == 0 ? -1 : len);
        OutputStream out = ex.getResponseBody();
        if (cut != null && take(cut, 1)) {
            out.write(body, from, (int) Math.min(cut[0], len));
            out.flush();
            // Closing the exchange while its body is short of the announced length makes
            // HttpServer drop the connection: the client sees the body end early.
            ex.close();
            return;
        }
        if (stall != null && take(stall, 2)) {
            int first = (int) Math.min(stall[0], len);
            out.write(body, from, first);
            out.flush();
            Thread.sleep(stall[1]);
            out.write(body, from + first, len - first);
            out.close();
            return;
        }
        out.write(body, from, len);
        out.close();
    }

    private static boolean take(long[] knob, int counter) {
        synchronized (knob) {
            if (knob[counter] > 0) {
                knob[counter]--;
                return true;
            }
            return false;
        }
    }

    private static void errorCode(HttpExchange ex, String code) {
        if (code != null) {
            ex.getResponseHeaders().set("X-Error-Code", code);
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encodeQuery(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Stops both servers at once and waits for every handler thread to end. */
    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("hub test server threads still running after 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Live threads of any test server, after giving the servers' dispatcher threads up to 5 s to
     * finish (HttpServer.stop closes them asynchronously); empty once every server is closed.
     */
    static List<String> liveServerThreads() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (isServerThread(t)) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (isServerThread(t) && t.isAlive()) {
                out.add(t.getName());
            }
        }
        return out;
    }

    private static boolean isServerThread(Thread t) {
        return t.getName().startsWith(THREAD_PREFIX) || t.getName().startsWith("HTTP-Dispatcher");
    }
}
