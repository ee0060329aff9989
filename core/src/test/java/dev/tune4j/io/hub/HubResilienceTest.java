package dev.tune4j.io.hub;

import static dev.tune4j.io.hub.HubFixtures.COMMIT;
import static dev.tune4j.io.hub.HubFixtures.CONFIG;
import static dev.tune4j.io.hub.HubFixtures.REPO;
import static dev.tune4j.io.hub.HubFixtures.WEIGHTS;
import static dev.tune4j.io.hub.HubFixtures.listing;
import static dev.tune4j.io.hub.HubFixtures.read;
import static dev.tune4j.io.hub.HubTestServer.gitSha1;
import static dev.tune4j.io.hub.HubTestServer.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads that go wrong on purpose: truncated bodies resumed with Range (206 or 200 answers),
 * stalled reads past the timeout, corrupted bytes and wrong ETags (nothing cached), slow HEADs,
 * and two threads after the same blob.
 */
class HubResilienceTest {
    static final String LFS = "model.safetensors";

    @TempDir
    Path tmp;
    HubTestServer server;
    HubClient hub;
    Path repoDir;

    @BeforeEach
    void start() {
        server = HubTestServer.start();
        HubFixtures.tinyRepo(server);
        hub = new HubClient(HubFixtures.settings(tmp, server.endpoint()));
        repoDir = tmp.resolve("hub-cache/models--org--tiny");
    }

    @AfterEach
    void stop() {
        server.close();
        HubFixtures.assertNoServerThreads();
    }

    private List<HubTestServer.Request> cdnGets() {
        return server.requests().stream().filter(r -> r.server().equals("cdn") && r.method().equals("GET")).toList();
    }

    @Test
    void truncatedDownloadResumesWithARangeRequest() {
        server.truncate(LFS, 100_000, 1);
        Path p = hub.hfHubDownload(REPO, LFS, "main");
        assertArrayEquals(WEIGHTS, read(p));
        List<HubTestServer.Request> gets = cdnGets();
        assertEquals(2, gets.size());
        assertNull(gets.get(0).range());
        assertEquals("bytes=100000-", gets.get(1).range());
        assertFalse(Files.exists(repoDir.resolve("blobs/" + sha256(WEIGHTS) + ".incomplete")));
    }

    @Test
    void resumeWorksWhenTheServerIgnoresRange() {
        server.truncate(LFS, 100_000, 1).ignoreRange(true);
        assertArrayEquals(WEIGHTS, read(hub.hfHubDownload(REPO, LFS, "main")));
        assertEquals("bytes=100000-", cdnGets().get(1).range(), "asked for the rest, got 200 and the whole file");
    }

    @Test
    void partialFileLeftByAnEarlierRunIsContinued() throws Exception {
        Path incomplete = repoDir.resolve("blobs/" + sha256(WEIGHTS) + ".incomplete");
        Files.createDirectories(incomplete.getParent());
        Files.write(incomplete, Arrays.copyOf(WEIGHTS, 123_456));
        assertArrayEquals(WEIGHTS, read(hub.hfHubDownload(REPO, LFS, "main")));
        assertEquals(List.of("bytes=123456-"), cdnGets().stream().map(HubTestServer.Request::range).toList());
    }

    @Test
    void repeatedTruncationFailsClearlyAfterTheRetries() {
        hub = new HubClient(hub.settings().toBuilder().maxRetries(2).build());
        server.truncate(LFS, 1_000, 100);
        HubException e = assertThrows(HubException.class, () -> hub.hfHubDownload(REPO, LFS, "main"));
        assertTrue(e.getMessage().contains("'model.safetensors'") && e.getMessage().contains("after 3 attempts"), e.getMessage());
        assertEquals(3, cdnGets().size());
        assertFalse(Files.exists(repoDir.resolve("blobs/" + sha256(WEIGHTS))));
        assertFalse(Files.exists(repoDir.resolve("snapshots/" + COMMIT + "/" + LFS)));
        // What arrived is kept for a later resume, which then completes the file.
        server.truncate(LFS, 0, 0);
        assertArrayEquals(WEIGHTS, read(hub.hfHubDownload(REPO, LFS, "main")));
    }

    @Test
    void stalledBodyTimesOutAndResumes() {
        hub = new HubClient(hub.settings().toBuilder().downloadTimeout(Duration.ofMillis(300)).build());
        server.stall(LFS, 50_000, 5_000, 1);
        assertArrayEquals(WEIGHTS, read(hub.hfHubDownload(REPO, LFS, "main")));
        List<HubTestServer.Request> gets = cdnGets();
        assertEquals(2, gets.size());
        assertTrue(gets.get(1).range().startsWith("bytes="), "resumed with a Range request");
    }

    @Test
    void corruptedLfsBodyIsDetectedAndNothingIsCached() {
        server.corrupt(LFS);
        DownloadIntegrityException e = assertThrows(DownloadIntegrityException.class,
                () -> hub.hfHubDownload(REPO, LFS, "main"));
        byte[] corrupted = WEIGHTS.clone();
        corrupted[corrupted.length / 2] ^= 0x5a;
        assertEquals(LFS, e.filename());
        assertEquals(sha256(WEIGHTS), e.expected());
        assertEquals(sha256(corrupted), e.found());
        assertTrue(e.getMessage().contains(LFS) && e.getMessage().contains(sha256(WEIGHTS))
                && e.getMessage().contains(sha256(corrupted)), e.getMessage());
        assertEquals(new TreeSet<>(), listing(repoDir), "no blob, no partial file, no pointer, no ref");
    }

    @Test
    void wrongEtagOfARegularFileIsDetected() {
        server.wrongEtag("config.json");
        DownloadIntegrityException e = assertThrows(DownloadIntegrityException.class,
                () -> hub.hfHubDownload(REPO, "config.json", "main"));
        assertEquals(gitSha1("not config.json".getBytes(StandardCharsets.UTF_8)), e.expected());
        assertEquals(gitSha1(CONFIG), e.found(), "the git blob hash of what arrived");
        assertEquals(new TreeSet<>(), listing(repoDir));
    }

    @Test
    void wrongLinkedEtagOfAnLfsFileIsDetected() {
        server.wrongEtag(LFS);
        assertThrows(DownloadIntegrityException.class, () -> hub.hfHubDownload(REPO, LFS, "main"));
        assertEquals(new TreeSet<>(), listing(repoDir));
    }

    @Test
    void slowMetadataTimesOutThenTheCacheServes() {
        hub = new HubClient(hub.settings().toBuilder().etagTimeout(Duration.ofMillis(200)).build());
        server.headDelay(3_000);
        LocalEntryNotFoundException e = assertThrows(LocalEntryNotFoundException.class,
                () -> hub.hfHubDownload(REPO, "config.json", "main"));
        assertInstanceOf(SocketTimeoutException.class, e.getCause());

        server.headDelay(0);
        Path cached = hub.hfHubDownload(REPO, "config.json", "main");
        server.headDelay(3_000);
        assertEquals(cached, hub.hfHubDownload(REPO, "config.json", "main"));
    }

    @Test
    void twoThreadsDownloadingOneBlobFetchItOnce() throws Exception {
        server.getDelay(300);
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Path> a = pool.submit(() -> {
                barrier.await();
                return hub.hfHubDownload(REPO, LFS, "main");
            });
            Future<Path> b = pool.submit(() -> {
                barrier.await();
                return new HubClient(hub.settings()).hfHubDownload(REPO, LFS, "main");
            });
            assertEquals(a.get(), b.get());
            assertArrayEquals(WEIGHTS, read(a.get()));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, cdnGets().size(), "the second thread waited for the lock and found the blob");
    }

    @Test
    void parallelSnapshotSurfacesTheFirstFailure() {
        server.corrupt(LFS);
        assertThrows(DownloadIntegrityException.class, () -> hub.snapshotDownload(REPO, "main"));
        assertFalse(Files.exists(repoDir.resolve("refs/main")), "a failed snapshot records no ref");
        assertFalse(Files.exists(repoDir.resolve("blobs/" + sha256(WEIGHTS))));
    }
}
