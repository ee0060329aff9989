package dev.tune4j.io.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one blob into {@code {blob}.incomplete}, resuming with a {@code Range} request after
 * a dropped connection, a stalled read or a short body, verifies it and renames it into place
 * ({@code _download_to_tmp_and_move} and {@code http_get} of huggingface_hub, plus verification).
 *
 * <p>Verification: the ETag of an LFS file is the sha256 of its content, that of a regular file
 * its git blob hash ({@code sha1("blob " + size + "\0" + content)}); both are computed while the
 * bytes arrive. A mismatch, or more bytes than announced, deletes the partial file. A download
 * that keeps failing leaves the partial file in place, so a later call resumes it.
 */
final class BlobDownload {
    private static final Logger LOG = LoggerFactory.getLogger(BlobDownload.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$");
    private static final int BUFFER = 1 << 16;

    private final HttpTransport http;
    private final HubSettings settings;

    BlobDownload(HttpTransport http, HubSettings settings) {
        this.http = http;
        this.settings = settings;
    }

    /**
     * Fetches {@code url} ({@code expectedSize} bytes whose hash is {@code etag}) into {@code blob}.
     * The caller holds the blob's lock.
     */
    void run(String url, HttpTransport.Target target, Path blob, long expectedSize, String etag,
             DownloadProgress progress) throws IOException {
        String filename = target.filename();
        Path incomplete = blob.resolveSibling(blob.getFileName() + ".incomplete");
        Hasher hasher = Hasher.forEtag(etag, expectedSize);
        try (FileChannel ch = FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long have = ch.size();
            if (have > expectedSize) {
                LOG.info("{} is larger than the announced {} bytes; starting over", incomplete, expectedSize);
                ch.truncate(0);
                have = 0;
            }
            hasher.catchUp(ch, have);
            progress.fileStarted(filename, expectedSize, have);
            int failures = 0;
            boolean fetched = false;
            while (have < expectedSize || !fetched) {
                fetched = true;
                String problem;
                try (HttpTransport.Body body = http.get(url, have, settings.downloadTimeout(), target)) {
                    long start = have;
                    if (body.status == 416 || body.status == HttpURLConnection.HTTP_PARTIAL && rangeStart(body) != have) {
                        problem = "the server could not continue at byte " + have;
                        start = 0;
                    } else if (body.status == HttpURLConnection.HTTP_OK && have > 0) {
                        LOG.info("{}: the server ignored the Range request; downloading from the start", filename);
                        start = 0;
                        problem = null;
                    } else {
                        problem = null;
                    }
                    if (start != have) {
                        progress.rewind(have);
                        ch.truncate(0);
                        hasher.reset();
                        have = 0;
                    }
                    if (problem == null) {
                        have = copy(body, ch, have, expectedSize, hasher, progress, incomplete, filename);
                        if (have < expectedSize) {
                            problem = "the connection closed after " + have + " of " + expectedSize + " bytes";
                        }
                    }
                } catch (SSLException e) {
                    throw new HubException("TLS error while downloading '" + filename + "' from " + url + ": " + e, e);
                } catch (IOException e) {
                    // A dropped connection or a read that stalled past downloadTimeout: resume from what is on disk.
                    have = ch.size();
                    hasher.catchUp(ch, have);
                    problem = e.getClass().getSimpleName() + ": " + e.getMessage();
                } catch (HubHttpException e) {
                    if (e.statusCode() < 500) {
                        throw e;
                    }
                    problem = e.getMessage();
                }
                if (problem == null) {
                    continue;
                }
                failures++;
                if (failures > settings.maxRetries()) {
                    throw new HubException("download of '" + filename + "' from " + target.repoId() + " failed after "
                            + failures + " attempts (" + have + " of " + expectedSize + " bytes kept in " + incomplete
                            + " for a later resume): " + problem);
                }
                LOG.warn("Error while downloading '{}' ({}); resuming from byte {} of {} (attempt {} of {})", filename,
                        problem, have, expectedSize, failures + 1, settings.maxRetries() + 1);
                pause();
            }
            ch.force(true);
        }
        String found = hasher.hex();
        if (found != null && !found.equals(etag)) {
            Files.deleteIfExists(incomplete);
            throw new DownloadIntegrityException("'" + filename + "' of " + target.repoId() + " at revision '"
                    + target.revision() + "' is corrupted: expected " + hasher.kind + " " + etag + ", found " + found
                    + " (" + expectedSize + " bytes from " + url + "); the partial file was deleted, nothing was cached",
                    filename, etag, found);
        }
        CacheLayout.moveAtomically(incomplete, blob);
        progress.fileDone(filename);
    }

    private static long copy(HttpTransport.Body body, FileChannel ch, long have, long expectedSize, Hasher hasher,
                             DownloadProgress progress, Path incomplete, String filename) throws IOException {
        byte[] buf = new byte[BUFFER];
        ch.position(have);
        int n;
        while ((n = body.in.read(buf)) != -1) {
            if (have + n > expectedSize) {
                ch.close();
                Files.deleteIfExists(incomplete);
                throw new DownloadIntegrityException("'" + filename + "' is larger than the announced " + expectedSize
                        + " bytes; the partial file was deleted", filename, Long.toString(expectedSize),
                        "more than " + expectedSize);
            }
            try {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
            } catch (IOException e) {
                // Not a network failure: retrying will not help (disk full, permissions).
                throw new UncheckedIOException("cannot write " + incomplete + ": " + e.getMessage(), e);
            }
            hasher.update(buf, n);
            have += n;
            progress.advance(n);
        }
        return have;
    }

    private static long rangeStart(HttpTransport.Body body) {
        if (body.contentRange == null) {
            return -1;
        }
        Matcher m = CONTENT_RANGE.matcher(body.contentRange.strip());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private void pause() throws InterruptedIOException {
        try {
            Thread.sleep(settings.retryWait());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to resume a download");
        }
    }

    /** The running hash of the bytes written so far, when the ETag is a hash this can check. */
    private static final class Hasher {
        final String kind;
        private final MessageDigest md;
        private final byte[] prefix;
        private long hashed;

        private Hasher(String kind, MessageDigest md, byte[] prefix) {
            this.kind = kind;
            this.md = md;
            this.prefix = prefix;
            reset();
        }

        static Hasher forEtag(String etag, long size) {
            try {
                if (HubNames.SHA256.matcher(etag).matches()) {
                    return new Hasher("sha256", MessageDigest.getInstance("SHA-256"), new byte[0]);
                }
                if (etag.matches("^[0-9a-f]{40}$")) {
                    return new Hasher("git blob sha1", MessageDigest.getInstance("SHA-1"),
                            ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
                }
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks " + e.getMessage(), e);
            }
            return new Hasher(null, null, null);
        }

        void reset() {
            if (md != null) {
                md.reset();
                md.update(prefix);
            }
            hashed = 0;
        }

        void update(byte[] b, int n) {
            if (md != null) {
                md.update(b, 0, n);
            }
            hashed += n;
        }

        /** Hashes the first {@code size} bytes of the file again unless exactly those are hashed already. */
        void catchUp(FileChannel ch, long size) throws IOException {
            if (md == null || hashed == size) {
                hashed = size;
                return;
            }
            reset();
            ByteBuffer buf = ByteBuffer.allocate(BUFFER);
            long pos = 0;
            while (pos < size) {
                buf.clear();
                buf.limit((int) Math.min(BUFFER, size - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    break;
                }
                update(buf.array(), n);
                pos += n;
            }
        }

        String hex() {
            return md == null ? null : HexFormat.of().formatHex(md.digest());
        }
    }
}
