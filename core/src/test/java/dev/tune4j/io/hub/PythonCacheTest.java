package dev.tune4j.io.hub;

import static dev.tune4j.io.hub.HubFixtures.read;
import static dev.tune4j.io.hub.HubTestServer.gitSha1;
import static dev.tune4j.io.hub.HubTestServer.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache laid out by hand the way huggingface_hub writes it (blobs named by ETag, refs without
 * a newline, relative symlinks, .no_exist markers) is found by tune4j, offline and with the hub
 * unreachable.
 */
class PythonCacheTest {
    static final String COMMIT = "bbc77c8132af1cc5cf678da3f1ddf2de43606d48";
    static final byte[] CONFIG = "{\"model_type\": \"gpt2\"}".getBytes(StandardCharsets.UTF_8);
    static final byte[] WEIGHTS = HubFixtures.randomBytes(4096, 7);
    static final byte[] MERGES = "#version: 0.2\na b\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;
    Path cache;
    HubTestServer stopped;

    @BeforeEach
    void layOutPythonCache() throws Exception {
        cache = tmp.resolve("hub");
        Path repo = cache.resolve("models--julien-c--EsperBERTo-small");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Files.write(blobs.resolve(gitSha1(CONFIG)), CONFIG);
        Files.write(blobs.resolve(sha256(WEIGHTS)), WEIGHTS);
        Files.write(blobs.resolve(gitSha1(MERGES)), MERGES);
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        Files.createDirectories(repo.resolve("refs/refs/pr"));
        Files.writeString(repo.resolve("refs/refs/pr/1"), COMMIT);
        Path snap = Files.createDirectories(repo.resolve("snapshots").resolve(COMMIT));
        Files.createSymbolicLink(snap.resolve("config.json"), Path.of("../../blobs/" + gitSha1(CONFIG)));
        Files.createSymbolicLink(snap.resolve("pytorch_model.bin"), Path.of("../../blobs/" + sha256(WEIGHTS)));
        Files.createDirectories(snap.resolve("tok"));
        Files.createSymbolicLink(snap.resolve("tok/merges.txt"), Path.of("../../../blobs/" + gitSha1(MERGES)));
        Path absent = Files.createDirectories(repo.resolve(".no_exist").resolve(COMMIT));
        Files.createFile(absent.resolve("model.safetensors"));
        // An endpoint where nothing listens any more.
        stopped = HubTestServer.start();
        stopped.close();
    }

    @AfterEach
    void noThreads() {
        HubFixtures.assertNoServerThreads();
    }

    private HubClient client(boolean offline) {
        return new HubClient(HubFixtures.settings(tmp, stopped.endpoint()).toBuilder().hubCache(cache).offline(offline).build());
    }

    @Test
    void filesWrittenByPythonAreFoundOffline() {
        HubClient hub = client(true);
        Path snap = cache.resolve("models--julien-c--EsperBERTo-small/snapshots/" + COMMIT);
        assertEquals(snap.resolve("config.json"), hub.hfHubDownload("julien-c/EsperBERTo-small", "config.json", "main"));
        assertArrayEquals(WEIGHTS, read(hub.hfHubDownload("julien-c/EsperBERTo-small", "pytorch_model.bin", COMMIT)));
        assertArrayEquals(MERGES, read(hub.hfHubDownload("julien-c/EsperBERTo-small", "tok/merges.txt", "refs/pr/1")));
        assertEquals(snap, hub.snapshotDownload("julien-c/EsperBERTo-small", "main"));
        assertEquals(Optional.of(snap.resolve("tok/merges.txt")),
                hub.tryToLoadFromCache("julien-c/EsperBERTo-small", "tok/merges.txt", "main"));
        assertEquals(Optional.empty(), hub.tryToLoadFromCache("julien-c/EsperBERTo-small", "vocab.json", "main"));
        assertEquals(Optional.empty(), hub.tryToLoadFromCache("julien-c/other", "config.json", "main"));
    }

    @Test
    void filesWrittenByPythonAreFoundWhenTheHubIsUnreachable() {
        HubClient hub = client(false);
        assertArrayEquals(CONFIG, read(hub.hfHubDownload("julien-c/EsperBERTo-small", "config.json", "main")));
        Path snap = hub.resolve("julien-c/EsperBERTo-small", "main", List.of("*.json", "*.txt"));
        assertArrayEquals(MERGES, read(snap.resolve("tok/merges.txt")));
    }

    @Test
    void noExistMarkersAndMissingEntriesGiveClearErrors() {
        HubClient hub = client(true);
        EntryNotFoundException known = assertThrows(EntryNotFoundException.class,
                () -> hub.hfHubDownload("julien-c/EsperBERTo-small", "model.safetensors", "main"));
        assertTrue(known.getMessage().contains("'model.safetensors' does not exist in julien-c/EsperBERTo-small"),
                known.getMessage());
        LocalEntryNotFoundException missing = assertThrows(LocalEntryNotFoundException.class,
                () -> hub.hfHubDownload("julien-c/EsperBERTo-small", "vocab.json", "main"));
        assertTrue(missing.getMessage().contains("'vocab.json'") && missing.getMessage().contains("not in the hub cache"),
                missing.getMessage());
        LocalEntryNotFoundException unknownRef = assertThrows(LocalEntryNotFoundException.class,
                () -> hub.hfHubDownload("julien-c/EsperBERTo-small", "config.json", "v2"));
        assertTrue(unknownRef.getMessage().contains("revision 'v2'"), unknownRef.getMessage());
    }
}
