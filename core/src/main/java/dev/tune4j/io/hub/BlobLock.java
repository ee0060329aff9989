package dev.tune4j.io.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive right to download one blob, across threads and processes, held on the lock file
 * huggingface_hub uses ({@code .locks/models--org--name/{etag}.lock}).
 *
 * <p>Two layers because a file lock belongs to the whole JVM: a second thread of this process
 * asking for it would get {@code OverlappingFileLockException} instead of waiting, so threads
 * queue on an in-process lock first, and only then take the file lock that other processes see.
 * (Python's {@code filelock} uses {@code flock}, the JDK {@code fcntl} locks; on Linux the two do
 * not see each other, so this excludes other tune4j processes, not a Python one.)
 */
final class BlobLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlobLock.class);
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private static final long LOG_EVERY_MS = 10_000; // huggingface_hub's FILELOCK_LOG_EVERY_SECONDS

    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private BlobLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Waits until the lock on {@code lockFile} is held, logging every 10 s while it waits. */
    static BlobLock acquire(Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock threadLock = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        try {
            threadLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + key);
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long start = System.nanoTime();
            long nextLog = LOG_EVERY_MS;
            while (true) {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return new BlobLock(threadLock, channel, lock);
                }
                long waited = (System.nanoTime() - start) / 1_000_000;
                if (waited >= nextLog) {
                    LOG.info("still waiting to acquire lock on {} (another process is downloading it)", key);
                    nextLog += LOG_EVERY_MS;
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            threadLock.unlock();
            throw new InterruptedIOException("interrupted while waiting for " + key);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            threadLock.unlock();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
        } finally {
            try {
                channel.close();
            } finally {
                threadLock.unlock();
            }
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // The failure being reported matters more.
            }
        }
    }
}
