package dev.tune4j.io.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads files and snapshots of Hugging Face hub model repos into the cache that
 * huggingface_hub uses, and finds them there again: {@code hf_hub_download},
 * {@code snapshot_download} and {@code try_to_load_from_cache} of huggingface_hub 0.25.
 *
 * <pre>{@code
 * HubClient hub = HubClient.fromEnvironment();               // HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE
 * Path config = hub.hfHubDownload("Qwen/Qwen2.5-0.5B", "config.json", "main");
 * // huggingface_hub: hf_hub_download("Qwen/Qwen2.5-0.5B", "config.json", revision="main")
 * Path dir = hub.snapshotDownload("Qwen/Qwen2.5-0.5B", "main", List.of("*.json", "*.safetensors"), null);
 * // huggingface_hub: snapshot_download("Qwen/Qwen2.5-0.5B", allow_patterns=["*.json", "*.safetensors"])
 * }</pre>
 *
 * <p>A file whose revision is already cached needs no network when the revision is a commit
 * hash; for a branch or tag one HEAD request checks for a newer commit, and when the hub cannot
 * be reached (or {@link HubSettings#offline()} is set) the cached copy is used. Returned paths lie
 * in {@code snapshots/{commit}/} and are symlinks to the blobs, as in Python.
 *
 * <p>Thread-safe and stateless apart from its settings; several threads or processes may
 * download into one cache (one download per blob at a time, guarded by a lock file).
 */
public final class HubClient {
    private static final Logger LOG = LoggerFactory.getLogger(HubClient.class);
    private static final ScopedValue<HubClient> DEFAULT = ScopedValue.newInstance();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final HubSettings settings;
    private final CacheLayout cache;
    private final HttpTransport http;

    /** A client with the given settings. */
    public HubClient(HubSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cache = new CacheLayout(settings.hubCache());
        this.http = new HttpTransport(settings);
    }

    /** A client configured from the process environment ({@link HubSettings#fromEnvironment()}). */
    public static HubClient fromEnvironment() {
        return new HubClient(HubSettings.fromEnvironment());
    }

    /**
     * The client that {@code fromPretrained(String, ...)} methods use: the one bound by
     * {@link #asDefault} in this thread, else one configured from the environment.
     */
    public static HubClient defaultClient() {
        return DEFAULT.isBound() ? DEFAULT.get() : fromEnvironment();
    }

    /**
     * Runs {@code action} with this client as {@link #defaultClient()} of the current thread, so
     * that {@code fromPretrained("org/name", ...)} inside it uses these settings (a cache folder,
     * an endpoint, a token) without touching the process environment.
     *
     * <pre>{@code
     * CausalLM model = hub.asDefault(() -> AutoModelForCausalLM.fromPretrained("org/name", LoadOptions.defaults()));
     * }</pre>
     */
    public <T> T asDefault(Supplier<T> action) {
        return ScopedValue.where(DEFAULT, this).call(action::get);
    }

    /**
     * Whether {@code id} is a valid hub repo id ({@code "name"} or {@code "namespace/name"}),
     * by huggingface_hub's {@code validate_repo_id} rules.
     */
    public static boolean isRepoId(String id) {
        return HubNames.isRepoId(id);
    }

    public HubSettings settings() {
        return settings;
    }

    /** {@link #hfHubDownload(String, String, String)} at revision {@code "main"}. */
    public Path hfHubDownload(String repoId, String filename) {
        return hfHubDownload(repoId, filename, "main");
    }

    /**
     * The local path of {@code filename} of {@code repoId} at {@code revision} (branch, tag or
     * commit hash), downloading it into the cache if needed ({@code hf_hub_download}).
     *
     * @return {@code {hub_cache}/models--{org}--{name}/snapshots/{commit}/{filename}}
     * @throws EntryNotFoundException the file does not exist at that revision
     * @throws RepositoryNotFoundException the repo does not exist (or is private)
     * @throws GatedRepoException access refused: set {@code HF_TOKEN}
     * @throws LocalEntryNotFoundException offline or unreachable hub, and the file is not cached
     * @throws DownloadIntegrityException the download does not match its ETag or size
     */
    public Path hfHubDownload(String repoId, String filename, String revision) {
        String rev = revision == null ? "main" : revision;
        HubNames.requireRepoId(repoId);
        HubNames.requireRevision(rev);
        HubNames.requireFilename(filename, repoId);
        DownloadProgress progress = new DownloadProgress(repoId + "/" + filename, settings.progressBar());
        try {
            return download(repoId, filename, rev, progress);
        } finally {
            progress.finish();
        }
    }

    /** {@link #snapshotDownload(String, String, Collection, Collection)} of all files. */
    public Path snapshotDownload(String repoId, String revision) {
        return snapshotDownload(repoId, revision, null, null);
    }

    /**
     * Downloads the files of {@code repoId} at {@code revision} that match {@code allowPatterns}
     * (all when null) and none of {@code ignorePatterns} (none when null) into the cache, in
     * parallel, and returns the snapshot folder ({@code snapshot_download}). Patterns are
     * {@code fnmatch} patterns matched against the whole path in the repo, where {@code *} also
     * matches '/', as in {@code filter_repo_objects}.
     *
     * <p>When the hub cannot be reached, or offline, the cached snapshot folder of the revision is
     * returned if there is one (whether it holds every file cannot be known without the hub).
     *
     * @return {@code {hub_cache}/models--{org}--{name}/snapshots/{commit}}
     */
    public Path snapshotDownload(String repoId, String revision, Collection<String> allowPatterns,
                                 Collection<String> ignorePatterns) {
        String rev = revision == null ? "main" : revision;
        HubNames.requireRepoId(repoId);
        HubNames.requireRevision(rev);
        HttpTransport.Target target = new HttpTransport.Target(repoId, rev, null);
        if (settings.offline()) {
            return cachedSnapshot(repoId, rev).orElseThrow(() -> new LocalEntryNotFoundException(
                    "no snapshot of " + repoId + " at revision '" + rev + "' is in the hub cache ("
                            + cache.storageFolder(repoId) + ") and HF_HUB_OFFLINE=1 forbids downloading it."
                            + " Download it once online, or unset HF_HUB_OFFLINE.", null));
        }
        String url = HubNames.modelInfoUrl(settings.endpoint(), repoId, rev);
        RuntimeException apiError;
        Exception cause;
        try {
            RepoListing listing = RepoListing.parse(http.getJson(url, target), url, repoId);
            return downloadSnapshot(repoId, rev, listing, allowPatterns, ignorePatterns);
        } catch (RevisionNotFoundException e) {
            throw e;
        } catch (RepositoryNotFoundException | GatedRepoException e) {
            apiError = e;
            cause = e;
        } catch (HubHttpException e) {
            apiError = null;
            cause = e;
        } catch (SSLException e) {
            throw new HubException("TLS error talking to " + url + ": " + e, e);
        } catch (IOException e) {
            apiError = null;
            cause = e;
        }
        Optional<Path> cached = cachedSnapshot(repoId, rev);
        if (cached.isPresent()) {
            LOG.warn("Could not list {} at revision '{}' on {} ({}); using the cached snapshot {}", repoId, rev,
                    settings.endpoint(), summary(cause), cached.get());
            return cached.get();
        }
        if (apiError != null) {
            throw apiError;
        }
        throw new LocalEntryNotFoundException("could not list the files of " + repoId + " at revision '" + rev
                + "' on " + settings.endpoint() + " (" + summary(cause) + "), and no snapshot of it is in the hub cache ("
                + cache.storageFolder(repoId) + "). Check your connection or HF_ENDPOINT.", cause);
    }

    /**
     * The snapshot folder of {@code repoId} at {@code revision} holding at least the files that
     * match {@code filePatterns} (fnmatch; all files when null), downloading what is missing:
     * the one call a loader needs to turn a hub id into a local folder.
     */
    public Path resolve(String repoId, String revision, List<String> filePatterns) {
        return snapshotDownload(repoId, revision, filePatterns, null);
    }

    /**
     * The cached path of {@code filename} at {@code revision} without any network access
     * ({@code try_to_load_from_cache}); empty when it is not cached or known to be absent.
     */
    public Optional<Path> tryToLoadFromCache(String repoId, String filename, String revision) {
        String rev = revision == null ? "main" : revision;
        HubNames.requireRepoId(repoId);
        HubNames.requireRevision(rev);
        HubNames.requireFilename(filename, repoId);
        return cachedFile(repoId, filename, rev);
    }

    // ---------------------------------------------------------------------------------------------

    private Path download(String repoId, String filename, String revision, DownloadProgress progress) {
        HttpTransport.Target target = new HttpTransport.Target(repoId, revision, filename);
        String url = HubNames.resolveUrl(settings.endpoint(), repoId, revision, filename);
        if (HubNames.COMMIT_HASH.matcher(revision).matches()) {
            Path pointer = cache.pointer(repoId, revision, filename);
            if (Files.exists(pointer)) {
                return pointer;
            }
        }
        if (settings.offline()) {
            return cachedFile(repoId, filename, revision).orElseThrow(() -> notCached(target, url,
                    "HF_HUB_OFFLINE=1 forbids downloading it. Download it once online, or unset HF_HUB_OFFLINE.", null));
        }
        FileMetadata meta = null;
        RuntimeException headError = null;
        Exception cause;
        try {
            HttpTransport.Head head = http.head(url, target);
            if (head.status() >= 400) {
                HubHttpException e = http.error(head.status(), head.errorCode(), head.errorMessage(), url, target);
                if (e instanceof EntryNotFoundException && head.repoCommit() != null) {
                    rememberAbsent(repoId, filename, revision, head.repoCommit());
                }
                if (e instanceof EntryNotFoundException || e instanceof RevisionNotFoundException) {
                    throw e;
                }
                cause = e;
                if (e instanceof RepositoryNotFoundException || e instanceof GatedRepoException) {
                    headError = e;
                }
            } else {
                meta = FileMetadata.of(head, url);
                cause = null;
            }
        } catch (FileMetadata.Invalid e) {
            cause = e;
        } catch (SSLException e) {
            throw new HubException("TLS error talking to " + url + ": " + e, e);
        } catch (IOException e) {
            cause = e;
        }
        if (meta == null) {
            Optional<Path> cached = cachedFile(repoId, filename, revision);
            if (cached.isPresent()) {
                LOG.warn("Could not check '{}' of {} on {} ({}); using the cached file", filename, repoId,
                        settings.endpoint(), summary(cause));
                return cached.get();
            }
            if (headError != null) {
                throw headError;
            }
            throw notCached(target, url, "the hub could not be used (" + summary(cause)
                    + "). Check your connection or HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use cached files only.", cause);
        }
        try {
            Path pointer = fetch(repoId, filename, target, meta, progress);
            cache.writeRef(repoId, revision, meta.commit());
            return pointer;
        } catch (IOException e) {
            throw new HubException("cannot store '" + filename + "' of " + repoId + " in the hub cache "
                    + cache.storageFolder(repoId) + ": " + e, e);
        }
    }

    /** The blob and its snapshot pointer, downloading the blob under its lock when it is not cached yet. */
    private Path fetch(String repoId, String filename, HttpTransport.Target target, FileMetadata meta,
                       DownloadProgress progress) throws IOException {
        Path blob = cache.blob(repoId, meta.etag());
        Path pointer = cache.pointer(repoId, meta.commit(), filename);
        if (Files.exists(pointer)) {
            return pointer;
        }
        Files.createDirectories(blob.getParent());
        try (BlobLock _ = BlobLock.acquire(cache.lock(repoId, meta.etag()))) {
            if (!Files.exists(blob)) {
                new BlobDownload(http, settings).run(meta.location(), target, blob, meta.size(), meta.etag(), progress);
            }
            if (!Files.exists(pointer)) {
                cache.link(blob, pointer);
            }
        }
        return pointer;
    }

    private Path downloadSnapshot(String repoId, String revision, RepoListing listing, Collection<String> allow,
                                  Collection<String> ignore) {
        List<String> files = FnMatch.filter(listing.files(), allow, ignore);
        String commit = listing.commit();
        Path snapshot = cache.snapshot(repoId, commit);
        DownloadProgress progress = new DownloadProgress("Fetching " + files.size() + " files of " + repoId,
                settings.progressBar());
        progress.expectFiles(files.size());
        try {
            if (files.size() <= 1) {
                for (String f : files) {
                    download(repoId, f, commit, progress);
                }
            } else {
                downloadInParallel(repoId, commit, files, progress);
            }
        } finally {
            progress.finish();
        }
        if (files.isEmpty()) {
            LOG.warn("No file of {} at revision '{}' matches allow {} / ignore {}", repoId, revision, allow, ignore);
        }
        try {
            Files.createDirectories(snapshot);
            cache.writeRef(repoId, revision, commit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the hub cache " + cache.storageFolder(repoId), e);
        }
        return snapshot;
    }

    private void downloadInParallel(String repoId, String commit, List<String> files, DownloadProgress progress) {
        int workers = Math.min(settings.maxWorkers(), files.size());
        int pool = POOL_IDS.incrementAndGet();
        AtomicInteger ids = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "tune4j-hub-download-" + pool + "-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService executor = Executors.newFixedThreadPool(workers, factory);
        try {
            List<Future<Path>> futures = new ArrayList<>();
            for (String f : files) {
                futures.add(executor.submit(() -> download(repoId, f, commit, progress)));
            }
            for (Future<Path> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    executor.shutdownNow();
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new HubException("download of " + repoId + " failed: " + c, c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HubException("interrupted while downloading " + repoId, e);
                }
            }
        } finally {
            executor.shutdownNow();
            try {
                executor.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** refs → commit → snapshot file, with no network ({@code hf_hub_download}'s offline path). */
    private Optional<Path> cachedFile(String repoId, String filename, String revision) {
        return cache.commitFor(repoId, revision).map(c -> cache.pointer(repoId, c, filename)).filter(Files::exists);
    }

    private Optional<Path> cachedSnapshot(String repoId, String revision) {
        return cache.commitFor(repoId, revision).map(c -> cache.snapshot(repoId, c)).filter(Files::isDirectory);
    }

    private void rememberAbsent(String repoId, String filename, String revision, String commit) {
        try {
            HubNames.requireSegment(commit, "X-Repo-Commit", repoId);
            cache.markAbsent(repoId, commit, filename);
            cache.writeRef(repoId, revision, commit);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not record '{}' of {} as absent: {}", filename, repoId, e.toString());
        }
    }

    private HubException notCached(HttpTransport.Target t, String url, String why, Exception cause) {
        Optional<String> commit = cache.commitFor(t.repoId(), t.revision());
        if (commit.isPresent() && Files.exists(cache.noExist(t.repoId(), commit.get(), t.filename()))) {
            return new EntryNotFoundException("'" + t.filename() + "' does not exist in " + t.repoId() + " at revision '"
                    + t.revision() + "' (commit " + commit.get() + "; recorded in the cache under .no_exist)", 404, url,
                    t.repoId(), t.filename());
        }
        return new LocalEntryNotFoundException("'" + t.filename() + "' of " + t.repoId() + " at revision '"
                + t.revision() + "' is not in the hub cache (" + cache.storageFolder(t.repoId()) + ") and " + why, cause);
    }

    private static String summary(Exception e) {
        if (e == null) {
            return "no answer";
        }
        if (e instanceof HubException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** The repo listing of {@code /api/models/{repo_id}/revision/{revision}}: commit and file names. */
    private record RepoListing(String commit, List<String> files) {
        static RepoListing parse(byte[] body, String url, String repoId) {
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (IOException e) {
                throw new HubException(url + ": the repo listing is not JSON: " + e.getMessage(), e);
            }
            JsonNode sha = root == null ? null : root.get("sha");
            JsonNode siblings = root == null ? null : root.get("siblings");
            if (sha == null || !sha.isTextual()) {
                throw new HubException(url + ": the repo listing has no \"sha\" (commit hash) string");
            }
            if (siblings == null || !siblings.isArray()) {
                throw new HubException(url + ": the repo listing has no \"siblings\" array");
            }
            String commit = HubNames.requireSegment(sha.asText(), "commit \"sha\"", url);
            List<String> files = new ArrayList<>();
            for (JsonNode s : siblings) {
                JsonNode name = s.get("rfilename");
                if (name == null || !name.isTextual()) {
                    throw new HubException(url + ": a \"siblings\" entry has no \"rfilename\" string: " + s);
                }
                try {
                    files.add(HubNames.requireFilename(name.asText(), repoId));
                } catch (IllegalArgumentException e) {
                    throw new HubException(url + ": unsafe file name in the repo listing: " + e.getMessage(), e);
                }
            }
            return new RepoListing(commit, files);
        }
    }
}
