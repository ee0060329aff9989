package dev.tune4j.io.hub;

import static dev.tune4j.io.hub.HubFixtures.COMMIT;
import static dev.tune4j.io.hub.HubFixtures.CONFIG;
import static dev.tune4j.io.hub.HubFixtures.REPO;
import static dev.tune4j.io.hub.HubFixtures.VOCAB;
import static dev.tune4j.io.hub.HubFixtures.WEIGHTS;
import static dev.tune4j.io.hub.HubFixtures.listing;
import static dev.tune4j.io.hub.HubFixtures.read;
import static dev.tune4j.io.hub.HubFixtures.readString;
import static dev.tune4j.io.hub.HubTestServer.gitSha1;
import static dev.tune4j.io.hub.HubTestServer.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hf_hub_download / snapshot_download against a loopback hub: the cache layout huggingface_hub
 * writes, pattern filtering, cache hits without network, offline mode and missing files. The
 * expected blob names are computed in the test from the payload bytes.
 */
class HubDownloadTest {
    @TempDir
    Path tmp;
    HubTestServer server;
    HubClient hub;
    Path cache;

    @BeforeEach
    void start() {
        server = HubTestServer.start();
        HubFixtures.tinyRepo(server);
        hub = new HubClient(HubFixtures.settings(tmp, server.endpoint()));
        cache = tmp.resolve("hub-cache");
    }

    @AfterEach
    void stop() {
        server.close();
        HubFixtures.assertNoServerThreads();
    }

    @Test
    void hfHubDownloadWritesThePythonLayout() throws Exception {
        Path config = hub.hfHubDownload(REPO, "config.json", "main");
        Path weights = hub.hfHubDownload(REPO, "model.safetensors");
        Path vocab = hub.hfHubDownload(REPO, "sub/dir/vocab.txt", "main");

        String repoDir = "models--org--tiny";
        String configBlob = gitSha1(CONFIG);
        String weightsBlob = sha256(WEIGHTS);
        String vocabBlob = gitSha1(VOCAB);
        TreeSet<String> expected = new TreeSet<>(List.of(
                repoDir + "/blobs/" + configBlob,
                repoDir + "/blobs/" + weightsBlob,
                repoDir + "/blobs/" + vocabBlob,
                repoDir + "/refs/main",
                repoDir + "/snapshots/" + COMMIT + "/config.json",
                repoDir + "/snapshots/" + COMMIT + "/model.safetensors",
                repoDir + "/snapshots/" + COMMIT + "/sub/dir/vocab.txt",
                ".locks/" + repoDir + "/" + configBlob + ".lock",
                ".locks/" + repoDir + "/" + weightsBlob + ".lock",
                ".locks/" + repoDir + "/" + vocabBlob + ".lock"));
        assertEquals(expected, listing(cache));

        Path snap = cache.resolve(repoDir).resolve("snapshots").resolve(COMMIT);
        assertEquals(snap.resolve("config.json"), config);
        assertEquals(snap.resolve("model.safetensors"), weights);
        assertEquals(snap.resolve("sub/dir/vocab.txt"), vocab);
        assertEquals(Path.of("../../blobs/" + configBlob), Files.readSymbolicLink(config));
        assertEquals(Path.of("../../blobs/" + weightsBlob), Files.readSymbolicLink(weights));
        assertEquals(Path.of("../../../../blobs/" + vocabBlob), Files.readSymbolicLink(vocab));
        assertEquals(COMMIT, readString(cache.resolve(repoDir).resolve("refs/main")), "refs/main holds the bare hash");
        assertArrayEquals(CONFIG, read(config));
        assertArrayEquals(WEIGHTS, read(weights));
        assertArrayEquals(VOCAB, read(vocab));
        // The LFS file went through the CDN redirect: one GET there, none of its body from the hub.
        assertEquals(1, server.requests().stream().filter(r -> r.server().equals("cdn") && r.method().equals("GET")).count());
    }

    @Test
    void snapshotDownloadFiltersWithFnmatchPatterns() {
        Path snap = hub.snapshotDownload(REPO, "main", List.of("*.json", "*.txt"), List.of("README*"));
        assertEquals(cache.resolve("models--org--tiny/snapshots/" + COMMIT), snap);
        assertEquals(new TreeSet<>(List.of("config.json", "sub/dir/vocab.txt")), listing(snap),
                "'*.txt' also matches inside folders; the LFS file and README are not fetched");
        assertEquals(1, server.count("GET", "/api/models/org/tiny/revision/main"));
        assertEquals(0, server.count("HEAD", "model.safetensors"));
        assertEquals(0, server.count("HEAD", "README.md"));

        Path all = hub.snapshotDownload(REPO, "v1.0");
        assertEquals(snap, all);
        assertEquals(new TreeSet<>(List.of("README.md", "config.json", "model.safetensors", "sub/dir/vocab.txt")), listing(all));
        assertEquals(COMMIT, readString(cache.resolve("models--org--tiny/refs/v1.0")));
        assertArrayEquals(WEIGHTS, read(all.resolve("model.safetensors")));
    }

    @Test
    void cacheHitsNeedNoNetwork() {
        Path snap = hub.snapshotDownload(REPO, "main");
        int before = server.requests().size();
        // A commit hash whose file is cached short-circuits everything, as in Python.
        assertEquals(snap.resolve("config.json"), hub.hfHubDownload(REPO, "config.json", COMMIT));
        assertEquals(before, server.requests().size());
        assertEquals(snap.resolve("model.safetensors"), hub.tryToLoadFromCache(REPO, "model.safetensors", "main").orElseThrow());
        assertEquals(before, server.requests().size());

        server.close(); // nothing listens any more: a branch name falls back to refs/main
        assertEquals(snap.resolve("config.json"), hub.hfHubDownload(REPO, "config.json", "main"));
        assertEquals(snap, hub.snapshotDownload(REPO, "main", List.of("*.json"), null));
        assertArrayEquals(WEIGHTS, read(hub.hfHubDownload(REPO, "model.safetensors", "main")));
        assertEquals(before, server.requests().size());

        LocalEntryNotFoundException e = assertThrows(LocalEntryNotFoundException.class,
                () -> hub.hfHubDownload(REPO, "other.json", "main"));
        assertTrue(e.getMessage().contains("'other.json' of org/tiny at revision 'main' is not in the hub cache"), e.getMessage());
        assertTrue(e.getMessage().contains("Check your connection"), e.getMessage());
    }

    @Test
    void offlineModeResolvesFromTheCacheWithoutAnyRequest() {
        hub.hfHubDownload(REPO, "config.json", "main");
        HubClient offline = new HubClient(hub.settings().toBuilder().offline(true).build());
        int before = server.requests().size();
        assertArrayEquals(CONFIG, read(offline.hfHubDownload(REPO, "config.json", "main")));
        assertTrue(Files.isDirectory(offline.snapshotDownload(REPO, "main")));

        LocalEntryNotFoundException file = assertThrows(LocalEntryNotFoundException.class,
                () -> offline.hfHubDownload(REPO, "model.safetensors", "main"));
        assertTrue(file.getMessage().contains("'model.safetensors' of org/tiny") && file.getMessage().contains("HF_HUB_OFFLINE=1"),
                file.getMessage());
        LocalEntryNotFoundException snap = assertThrows(LocalEntryNotFoundException.class,
                () -> offline.snapshotDownload(REPO, "v1.0"));
        assertTrue(snap.getMessage().contains("revision 'v1.0'") && snap.getMessage().contains("HF_HUB_OFFLINE=1"), snap.getMessage());
        assertEquals(before, server.requests().size(), "offline mode made a request");
    }

    @Test
    void missingFileRepoAndRevisionAreNamedInTheError() {
        EntryNotFoundException entry = assertThrows(EntryNotFoundException.class,
                () -> hub.hfHubDownload(REPO, "nope.json", "main"));
        assertEquals(404, entry.statusCode());
        assertTrue(entry.getMessage().contains("'nope.json'") && entry.getMessage().contains("org/tiny"), entry.getMessage());
        // As huggingface_hub: the absence is recorded, and offline lookups report it as such.
        assertTrue(Files.isRegularFile(cache.resolve("models--org--tiny/.no_exist/" + COMMIT + "/nope.json")));
        HubClient offline = new HubClient(hub.settings().toBuilder().offline(true).build());
        assertThrows(EntryNotFoundException.class, () -> offline.hfHubDownload(REPO, "nope.json", "main"));

        RepositoryNotFoundException repo = assertThrows(RepositoryNotFoundException.class,
                () -> hub.hfHubDownload("org/absent", "config.json", "main"));
        assertTrue(repo.getMessage().contains("org/absent"), repo.getMessage());
        assertThrows(RepositoryNotFoundException.class, () -> hub.snapshotDownload("org/absent", "main"));

        RevisionNotFoundException rev = assertThrows(RevisionNotFoundException.class,
                () -> hub.snapshotDownload(REPO, "no-such-branch"));
        assertTrue(rev.getMessage().contains("'no-such-branch'") && rev.getMessage().contains("org/tiny"), rev.getMessage());
        assertThrows(RevisionNotFoundException.class, () -> hub.hfHubDownload(REPO, "config.json", "no-such-branch"));
    }

    @Test
    void serverErrorFallsBackToTheCache() {
        Path cached = hub.hfHubDownload(REPO, "config.json", "main");
        server.fail("config.json", 503, null, 1);
        assertEquals(cached, hub.hfHubDownload(REPO, "config.json", "main"));

        server.fail("sub/dir/vocab.txt", 500, null, 1);
        LocalEntryNotFoundException e = assertThrows(LocalEntryNotFoundException.class,
                () -> hub.hfHubDownload(REPO, "sub/dir/vocab.txt", "main"));
        assertEquals(500, ((HubHttpException) e.getCause()).statusCode());
        assertArrayEquals(VOCAB, read(hub.hfHubDownload(REPO, "sub/dir/vocab.txt", "main")), "the next attempt succeeds");
    }

    @Test
    void progressBarDrawsOnStandardErrorWhenEnabled() {
        HubClient withBar = new HubClient(hub.settings().toBuilder().progressBar(true).build());
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            withBar.snapshotDownload(REPO, "main");
        } finally {
            System.setErr(original);
        }
        String out = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("\rFetching 4 files of org/tiny: 4/4 files [") && out.contains("] 100% "), out);
    }

    @Test
    void badNamesAreRejectedBeforeAnyRequest() {
        assertThrows(IllegalArgumentException.class, () -> hub.hfHubDownload("org/a/b", "config.json", "main"));
        assertThrows(IllegalArgumentException.class, () -> hub.hfHubDownload(REPO, "../escape.json", "main"));
        assertThrows(IllegalArgumentException.class, () -> hub.hfHubDownload(REPO, "/abs.json", "main"));
        assertThrows(IllegalArgumentException.class, () -> hub.snapshotDownload(REPO, "../main"));
        assertEquals(Set.of(), Set.copyOf(server.requests()));
        assertFalse(Files.exists(cache.resolve("escape.json")));
    }
}
