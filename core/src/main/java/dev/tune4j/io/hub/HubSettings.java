package dev.tune4j.io.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where the hub cache lives, which hub to talk to and how: the settings huggingface_hub reads
 * from its environment variables ({@code huggingface_hub.constants}), as one immutable value
 * so that tests and embedders need not change the process environment.
 *
 * <pre>{@code
 * HubSettings s = HubSettings.fromEnvironment();                 // HF_HOME, HF_HUB_CACHE, HF_TOKEN, ...
 * HubSettings t = s.toBuilder().hubCache(Path.of("/data/hf")).offline(true).build();
 * }</pre>
 *
 * <p>{@link #toString()} never shows the token.
 *
 * @param hfHome {@code HF_HOME}; default {@code $XDG_CACHE_HOME/huggingface}, else
 *     {@code ~/.cache/huggingface}
 * @param hubCache {@code HF_HUB_CACHE} (or the legacy {@code HUGGINGFACE_HUB_CACHE}); default
 *     {@code $HF_HOME/hub}
 * @param endpoint {@code HF_ENDPOINT} without a trailing slash; default {@code https://huggingface.co}
 * @param token {@code HF_TOKEN} (or the legacy {@code HUGGING_FACE_HUB_TOKEN}), else the token file
 *     ({@code HF_TOKEN_PATH}, default {@code $HF_HOME/token}); sent as {@code Authorization: Bearer}
 * @param offline {@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) is 1/ON/YES/TRUE: only the
 *     cache is used, no request is made
 * @param etagTimeout {@code HF_HUB_ETAG_TIMEOUT} (seconds, default 10): connect and read timeout of
 *     metadata requests (HEAD of a file, the repo's file listing)
 * @param downloadTimeout {@code HF_HUB_DOWNLOAD_TIMEOUT} (seconds, default 10): connect timeout and
 *     the longest wait for the next bytes of a download before it is resumed
 * @param maxRetries how many times an interrupted download is resumed before failing (5, as
 *     huggingface_hub's {@code http_get})
 * @param retryWait pause before each resume (1 s, as huggingface_hub)
 * @param maxWorkers parallel file downloads of {@code snapshotDownload} (8, its {@code max_workers})
 * @param progressBar draw a progress line on the terminal (standard error); off when
 *     {@code HF_HUB_DISABLE_PROGRESS_BARS} is true or when no terminal is attached
 */
public record HubSettings(Path hfHome, Path hubCache, String endpoint, Optional<String> token, boolean offline,
                          Duration etagTimeout, Duration downloadTimeout, int maxRetries, Duration retryWait,
                          int maxWorkers, boolean progressBar) {
    /** huggingface_hub's {@code ENDPOINT} default. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    public HubSettings {
        Objects.requireNonNull(hfHome, "hfHome");
        Objects.requireNonNull(hubCache, "hubCache");
        Objects.requireNonNull(endpoint, "endpoint");
        token = token == null ? Optional.empty() : token.map(HubSettings::cleanToken).filter(t -> !t.isEmpty());
        endpoint = stripTrailingSlashes(endpoint);
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("HF_ENDPOINT: not a URL: '" + endpoint + "'", e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("HF_ENDPOINT: expected an http(s) URL such as " + DEFAULT_ENDPOINT
                    + ", found '" + endpoint + "'");
        }
        requirePositive(etagTimeout, "etagTimeout");
        requirePositive(downloadTimeout, "downloadTimeout");
        Objects.requireNonNull(retryWait, "retryWait");
        if (retryWait.isNegative()) {
            throw new IllegalArgumentException("retryWait must not be negative, found " + retryWait);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, found " + maxRetries);
        }
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be >= 1, found " + maxWorkers);
        }
    }

    /** The settings of this process's environment variables (huggingface_hub's {@code constants}). */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * The settings that huggingface_hub derives from {@code env}, a stand-in for the process
     * environment: tests pass their own map.
     */
    public static HubSettings fromEnvironment(Map<String, String> env) {
        Path home = env.containsKey("HF_HOME")
                ? expandUser(env.get("HF_HOME"))
                : (env.containsKey("XDG_CACHE_HOME") ? expandUser(env.get("XDG_CACHE_HOME"))
                        : Path.of(System.getProperty("user.home"), ".cache")).resolve("huggingface");
        String cache = env.getOrDefault("HF_HUB_CACHE", env.get("HUGGINGFACE_HUB_CACHE"));
        Path hubCache = cache != null ? expandUser(cache) : home.resolve("hub");
        String endpoint = env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT);
        Optional<String> token = Optional.ofNullable(firstNonEmpty(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN")))
                .map(HubSettings::cleanToken).filter(t -> !t.isEmpty());
        if (token.isEmpty()) {
            Path tokenFile = env.containsKey("HF_TOKEN_PATH") ? expandUser(env.get("HF_TOKEN_PATH")) : home.resolve("token");
            token = readTokenFile(tokenFile);
        }
        boolean offline = isTrue(firstNonEmpty(env.get("HF_HUB_OFFLINE"), env.get("TRANSFORMERS_OFFLINE")));
        boolean bar = !isTrue(env.get("HF_HUB_DISABLE_PROGRESS_BARS")) && System.console() != null
                && System.console().isTerminal();
        return new HubSettings(home, hubCache, endpoint, token, offline,
                seconds(env, "HF_HUB_ETAG_TIMEOUT", 10), seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT", 10),
                5, Duration.ofSeconds(1), 8, bar);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether a token will be sent. */
    public boolean hasToken() {
        return token.isPresent();
    }

    /** Like the record's, with the token replaced by whether one is set. */
    @Override
    public String toString() {
        return "HubSettings[hfHome=" + hfHome + ", hubCache=" + hubCache + ", endpoint=" + endpoint
                + ", token=" + (token.isPresent() ? "<set>" : "<none>") + ", offline=" + offline
                + ", etagTimeout=" + etagTimeout + ", downloadTimeout=" + downloadTimeout
                + ", maxRetries=" + maxRetries + ", retryWait=" + retryWait + ", maxWorkers=" + maxWorkers
                + ", progressBar=" + progressBar + "]";
    }

    /** Builder of {@link HubSettings}; start from {@link HubSettings#toBuilder()}. */
    public static final class Builder {
        private Path hfHome;
        private Path hubCache;
        private String endpoint;
        private Optional<String> token;
        private boolean offline;
        private Duration etagTimeout;
        private Duration downloadTimeout;
        private int maxRetries;
        private Duration retryWait;
        private int maxWorkers;
        private boolean progressBar;

        private Builder(HubSettings s) {
            hfHome = s.hfHome;
            hubCache = s.hubCache;
            endpoint = s.endpoint;
            token = s.token;
            offline = s.offline;
            etagTimeout = s.etagTimeout;
            downloadTimeout = s.downloadTimeout;
            maxRetries = s.maxRetries;
            retryWait = s.retryWait;
            maxWorkers = s.maxWorkers;
            progressBar = s.progressBar;
        }

        /** Sets HF_HOME; the hub cache is left as it is. */
        public Builder hfHome(Path p) {
            this.hfHome = p;
            return this;
        }

        public Builder hubCache(Path p) {
            this.hubCache = p;
            return this;
        }

        public Builder endpoint(String e) {
            this.endpoint = e;
            return this;
        }

        /** The token to send, or null for none. */
        public Builder token(String t) {
            this.token = Optional.ofNullable(t);
            return this;
        }

        public Builder offline(boolean o) {
            this.offline = o;
            return this;
        }

        public Builder etagTimeout(Duration d) {
            this.etagTimeout = d;
            return this;
        }

        public Builder downloadTimeout(Duration d) {
            this.downloadTimeout = d;
            return this;
        }

        public Builder maxRetries(int n) {
            this.maxRetries = n;
            return this;
        }

        public Builder retryWait(Duration d) {
            this.retryWait = d;
            return this;
        }

        public Builder maxWorkers(int n) {
            this.maxWorkers = n;
            return this;
        }

        public Builder progressBar(boolean on) {
            this.progressBar = on;
            return this;
        }

        public HubSettings build() {
            return new HubSettings(hfHome, hubCache, endpoint, token, offline, etagTimeout, downloadTimeout,
                    maxRetries, retryWait, maxWorkers, progressBar);
        }
    }

    /** huggingface_hub's {@code _is_true}. */
    static boolean isTrue(String v) {
        return v != null && TRUE_VALUES.contains(v.toUpperCase(Locale.ROOT));
    }

    private static String firstNonEmpty(String a, String b) {
        return a != null && !a.isEmpty() ? a : b;
    }

    /** huggingface_hub's {@code _clean_token}: surrounding blanks and line breaks are not part of it. */
    private static String cleanToken(String t) {
        return t.replace("\r", "").replace("\n", "").strip();
    }

    private static Optional<String> readTokenFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(cleanToken(Files.readString(file, StandardCharsets.UTF_8))).filter(t -> !t.isEmpty());
        } catch (IOException e) {
            // Python treats an unreadable token file as no token; the message names the file, never its content.
            throw new HubException("cannot read the token file " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static Path expandUser(String p) {
        if (p.equals("~")) {
            return Path.of(System.getProperty("user.home"));
        }
        if (p.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), p.substring(2));
        }
        return Path.of(p);
    }

    private static Duration seconds(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return Duration.ofSeconds(dflt);
        }
        try {
            int s = Integer.parseInt(v.strip());
            return Duration.ofSeconds(s > 0 ? s : dflt);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected a whole number of seconds, found '" + v + "'", e);
        }
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, found " + d);
        }
    }
}
