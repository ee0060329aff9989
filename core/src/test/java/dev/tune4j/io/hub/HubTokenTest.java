package dev.tune4j.io.hub;

import static dev.tune4j.io.hub.HubFixtures.REPO;
import static dev.tune4j.io.hub.HubFixtures.WEIGHTS;
import static dev.tune4j.io.hub.HubFixtures.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token: sent as a Bearer header to the hub only (not to the CDN a download is redirected
 * to), read from HF_TOKEN or the token file, and absent from every log line, exception message,
 * stack trace and toString. Logging goes through slf4j-simple, which writes to the current
 * System.err, so swapping System.err captures it.
 */
class HubTokenTest {
    static final String SECRET = "hf_S3cretTokenValue0123456789";
    static final String WRONG = "hf_WrongTokenValue9876543210";

    @TempDir
    Path tmp;
    HubTestServer server;

    @BeforeEach
    void start() {
        server = HubTestServer.start();
        HubFixtures.tinyRepo(server);
        server.requireToken(SECRET);
    }

    @AfterEach
    void stop() {
        server.close();
        HubFixtures.assertNoServerThreads();
    }

    @Test
    void tokenIsSentAsBearerToTheHubOnlyAndNeverLogged() {
        HubClient hub = new HubClient(HubFixtures.settings(tmp, server.endpoint()).toBuilder().token(SECRET).build());
        String logs = captureStderr(() -> {
            Path snap = hub.snapshotDownload(REPO, "main");
            assertArrayEquals(WEIGHTS, read(snap.resolve("model.safetensors")));
        });
        assertTrue(logs.contains("model.safetensors"), "the download was logged: " + logs);
        assertFalse(logs.contains(SECRET), "the token was logged");

        List<HubTestServer.Request> toHub = server.requests().stream().filter(r -> r.server().equals("hub")).toList();
        List<HubTestServer.Request> toCdn = server.requests().stream().filter(r -> r.server().equals("cdn")).toList();
        assertFalse(toHub.isEmpty());
        assertFalse(toCdn.isEmpty());
        toHub.forEach(r -> assertEquals("Bearer " + SECRET, r.authorization(), r.path()));
        toCdn.forEach(r -> assertNull(r.authorization(), "the token must not follow a redirect to another host"));
        assertFalse(hub.settings().toString().contains(SECRET));
    }

    @Test
    void refusedAccessSaysToSetHfTokenWithoutShowingIt() {
        HubClient none = new HubClient(HubFixtures.settings(tmp, server.endpoint()));
        GatedRepoException noToken = assertThrows(GatedRepoException.class,
                () -> none.hfHubDownload(REPO, "config.json", "main"));
        assertEquals(401, noToken.statusCode());
        assertTrue(noToken.getMessage().contains("Set HF_TOKEN") && noToken.getMessage().contains("no token was sent"),
                noToken.getMessage());

        HubClient wrong = new HubClient(HubFixtures.settings(tmp, server.endpoint()).toBuilder().token(WRONG).build());
        String[] logs = new String[1];
        GatedRepoException[] thrown = new GatedRepoException[2];
        logs[0] = captureStderr(() -> {
            thrown[0] = assertThrows(GatedRepoException.class, () -> wrong.hfHubDownload(REPO, "config.json", "main"));
            thrown[1] = assertThrows(GatedRepoException.class, () -> wrong.snapshotDownload(REPO, "main"));
        });
        for (GatedRepoException e : thrown) {
            assertTrue(e.getMessage().contains("Set HF_TOKEN") && e.getMessage().contains("not accepted"), e.getMessage());
            assertFalse(stackTrace(e).contains(WRONG), "the token leaked into an exception");
        }
        assertFalse(logs[0].contains(WRONG));
        assertTrue(server.requests().stream().anyMatch(r -> ("Bearer " + WRONG).equals(r.authorization())),
                "the wrong token was sent (and refused)");
    }

    @Test
    void forbiddenAndGatedAnswersAreAuthErrors() {
        HubClient hub = new HubClient(HubFixtures.settings(tmp, server.endpoint()).toBuilder().token(SECRET).build());
        server.fail("config.json", 403, null, 1);
        GatedRepoException forbidden = assertThrows(GatedRepoException.class,
                () -> hub.hfHubDownload(REPO, "config.json", "main"));
        assertEquals(403, forbidden.statusCode());
        assertTrue(forbidden.getMessage().contains("'config.json' in org/tiny") && forbidden.getMessage().contains("HF_TOKEN"),
                forbidden.getMessage());
        server.fail("config.json", 401, "GatedRepo", 1);
        GatedRepoException gated = assertThrows(GatedRepoException.class, () -> hub.hfHubDownload(REPO, "config.json", "main"));
        assertFalse(stackTrace(gated).contains(SECRET));
        assertArrayEquals(HubFixtures.CONFIG, read(hub.hfHubDownload(REPO, "config.json", "main")), "access granted again");
    }

    @Test
    void tokenFileIsReadWhenHfTokenIsUnset() throws Exception {
        Path home = tmp.resolve("hf-home");
        Files.createDirectories(home);
        Files.writeString(home.resolve("token"), SECRET + "\n");
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_ENDPOINT", server.endpoint(),
                "HF_HUB_CACHE", tmp.resolve("c").toString()));
        assertEquals(SECRET, s.token().orElseThrow());
        assertArrayEquals(HubFixtures.CONFIG, read(new HubClient(s).hfHubDownload(REPO, "config.json", "main")));
        assertFalse(s.toString().contains(SECRET));
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w + " " + t;
    }

    private static String captureStderr(Runnable r) {
        PrintStream original = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
