package dev.tune4j.io.hub;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of one {@code hfHubDownload} or {@code snapshotDownload}: a log line per file through
 * SLF4J, and, when enabled, one progress line on the terminal redrawn at most 5 times a second
 * (huggingface_hub draws tqdm bars). Thread-safe: the parallel downloads of a snapshot share one.
 */
final class DownloadProgress {
    private static final Logger LOG = LoggerFactory.getLogger(DownloadProgress.class);
    private static final long REDRAW_NANOS = 200_000_000L;

    private final String label;
    private final PrintStream console;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicInteger filesStarted = new AtomicInteger();
    private final AtomicInteger filesDone = new AtomicInteger();
    private final AtomicLong lastDraw = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private volatile int filesExpected;

    DownloadProgress(String label, boolean bar) {
        this.label = label;
        this.console = bar ? System.err : null;
    }

    void expectFiles(int n) {
        filesExpected = n;
    }

    /** A file starts downloading: {@code size} bytes, {@code resumedFrom} of them already on disk. */
    void fileStarted(String filename, long size, long resumedFrom) {
        filesStarted.incrementAndGet();
        total.addAndGet(Math.max(0, size));
        done.addAndGet(resumedFrom);
        if (resumedFrom > 0) {
            LOG.info("Downloading {} ({}), resuming from {}", filename, human(size), human(resumedFrom));
        } else {
            LOG.info("Downloading {} ({})", filename, human(size));
        }
        draw(false);
    }

    void advance(long bytes) {
        done.addAndGet(bytes);
        draw(false);
    }

    /** Bytes already counted are being downloaded again (the server ignored a Range request). */
    void rewind(long bytes) {
        done.addAndGet(-bytes);
    }

    void fileDone(String filename) {
        filesDone.incrementAndGet();
        LOG.debug("Downloaded {}", filename);
        draw(false);
    }

    /** Ends the terminal line and logs a summary when anything was downloaded. */
    void finish() {
        if (filesStarted.get() > 0) {
            double s = (System.nanoTime() - startNanos) / 1e9;
            LOG.info("{}: fetched {} file(s), {} in {} s", label, filesDone.get(), human(done.get()),
                    String.format(Locale.ROOT, "%.1f", s));
        }
        if (console != null && lastDraw.get() != 0) {
            draw(true);
            console.println();
        }
    }

    private void draw(boolean force) {
        if (console == null) {
            return;
        }
        long now = System.nanoTime();
        long last = lastDraw.get();
        if (!force && last != 0 && now - last < REDRAW_NANOS || !lastDraw.compareAndSet(last, now == 0 ? 1 : now)) {
            return;
        }
        long t = total.get();
        long d = done.get();
        int pct = t > 0 ? (int) Math.min(100, d * 100 / t) : 0;
        int width = 30;
        int filled = pct * width / 100;
        String files = filesExpected > 0 ? filesDone.get() + "/" + filesExpected + " files " : "";
        synchronized (console) {
            console.print("\r" + label + ": " + files + "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
                    + pct + "% " + human(d) + "/" + human(t) + "   ");
            console.flush();
        }
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
