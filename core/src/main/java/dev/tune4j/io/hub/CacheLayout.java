package dev.tune4j.io.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub cache on disk, laid out exactly as huggingface_hub's {@code file_download.py} lays it
 * out, so that Python and Java share one cache:
 *
 * <pre>
 * {hub_cache}/models--{org}--{name}/blobs/{etag}                   file contents, named by ETag
 * {hub_cache}/models--{org}--{name}/refs/{revision}                the commit hash, no newline
 * {hub_cache}/models--{org}--{name}/snapshots/{commit}/{file}      relative symlink to ../../blobs/{etag}
 * {hub_cache}/models--{org}--{name}/.no_exist/{commit}/{file}      empty: known absent at that commit
 * {hub_cache}/.locks/models--{org}--{name}/{etag}.lock             guards the download of one blob
 * </pre>
 */
final class CacheLayout {
    private static final Logger LOG = LoggerFactory.getLogger(CacheLayout.class);

    private final Path hubCache;

    CacheLayout(Path hubCache) {
        this.hubCache = hubCache;
    }

    Path hubCache() {
        return hubCache;
    }

    /** huggingface_hub's {@code repo_folder_name}: {@code models--} + the id with '/' replaced by {@code --}. */
    static String repoFolderName(String repoId) {
        return "models--" + repoId.replace("/", "--");
    }

    Path storageFolder(String repoId) {
        return hubCache.resolve(repoFolderName(repoId));
    }

    Path blob(String repoId, String etag) {
        return storageFolder(repoId).resolve("blobs").resolve(etag);
    }

    Path snapshot(String repoId, String commit) {
        return storageFolder(repoId).resolve("snapshots").resolve(commit);
    }

    /** {@code snapshots/{commit}/{file}}, the file's '/' segments as nested folders. */
    Path pointer(String repoId, String commit, String filename) {
        return snapshot(repoId, commit).resolve(filename);
    }

    Path ref(String repoId, String revision) {
        return storageFolder(repoId).resolve("refs").resolve(revision);
    }

    Path noExist(String repoId, String commit, String filename) {
        return storageFolder(repoId).resolve(".no_exist").resolve(commit).resolve(filename);
    }

    Path lock(String repoId, String etag) {
        return hubCache.resolve(".locks").resolve(repoFolderName(repoId)).resolve(etag + ".lock");
    }

    /**
     * The commit {@code revision} stands for in the cache: itself when it is a full commit hash,
     * else the content of {@code refs/{revision}}.
     */
    Optional<String> commitFor(String repoId, String revision) {
        if (HubNames.COMMIT_HASH.matcher(revision).matches()) {
            return Optional.of(revision);
        }
        Path ref = ref(repoId, revision);
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        try {
            // Python writes the hash without a newline; strip in case a hand-edited ref has one.
            String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
            return commit.isEmpty() || commit.contains("/") || commit.equals("..") ? Optional.empty() : Optional.of(commit);
        } catch (IOException e) {
            throw new UncheckedIOException(ref + ": cannot read the cached ref", e);
        }
    }

    /**
     * Records that {@code revision} (a branch or tag) points at {@code commit}
     * ({@code _cache_commit_hash_for_specific_revision}); written only when it changes, and
     * atomically so a concurrent reader never sees an empty ref.
     */
    void writeRef(String repoId, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = ref(repoId, revision);
        if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit)) {
            return;
        }
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling("." + ref.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            moveAtomically(tmp, ref);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Marks {@code filename} as absent at {@code commit} (an empty file under {@code .no_exist}). */
    void markAbsent(String repoId, String commit, String filename) {
        Path marker = noExist(repoId, commit, filename);
        try {
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (IOException e) {
            // As huggingface_hub: failing to cache an absence is not an error worth failing for.
            LOG.debug("could not record {} as absent: {}", marker, e.toString());
        }
    }

    /**
     * Points {@code pointer} at {@code blob} with a relative symlink ({@code ../../blobs/{etag}},
     * one more {@code ../} per folder of the file name), as {@code _create_symlink} does. Where
     * the file system refuses symlinks the blob is copied instead.
     */
    void link(Path blob, Path pointer) throws IOException {
        Files.createDirectories(pointer.getParent());
        Files.deleteIfExists(pointer);
        Path target = pointer.getParent().toAbsolutePath().relativize(blob.toAbsolutePath());
        try {
            Files.createSymbolicLink(pointer, target);
        } catch (FileAlreadyExistsException e) {
            // Another thread or process linked it between the delete and here: fine if it is the same blob.
            if (!Files.isSymbolicLink(pointer) || !Files.isSameFile(pointer, blob)) {
                throw e;
            }
        } catch (UnsupportedOperationException | IOException e) {
            LOG.info("symlinks are not supported in {} ({}); copying {} instead", pointer.getParent(), e.toString(),
                    blob.getFileName());
            Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
                moveAtomically(tmp, pointer);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Renames within one folder: atomic where the file system allows, so readers never see half a file. */
    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
