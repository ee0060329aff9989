package dev.tune4j.io.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The environment variables of huggingface_hub.constants, read from a map instead of the process. */
class HubSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsAreThoseOfHuggingfaceHub() {
        HubSettings s = HubSettings.fromEnvironment(Map.of());
        Path home = Path.of(System.getProperty("user.home"), ".cache", "huggingface");
        assertEquals(home, s.hfHome());
        assertEquals(home.resolve("hub"), s.hubCache());
        assertEquals("https://huggingface.co", s.endpoint());
        assertFalse(s.offline());
        assertEquals(Duration.ofSeconds(10), s.etagTimeout());
        assertEquals(Duration.ofSeconds(10), s.downloadTimeout());
        assertEquals(8, s.maxWorkers());
        assertEquals(5, s.maxRetries());
    }

    @Test
    void homeAndCacheFollowTheirVariables() {
        assertEquals(Path.of("/x/cache/huggingface/hub"),
                HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x/cache")).hubCache());
        HubSettings h = HubSettings.fromEnvironment(Map.of("HF_HOME", "/h", "XDG_CACHE_HOME", "/x"));
        assertEquals(Path.of("/h"), h.hfHome());
        assertEquals(Path.of("/h/hub"), h.hubCache());
        assertEquals(Path.of("/legacy"), HubSettings.fromEnvironment(Map.of("HF_HOME", "/h",
                "HUGGINGFACE_HUB_CACHE", "/legacy")).hubCache());
        assertEquals(Path.of("/new"), HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "/new",
                "HUGGINGFACE_HUB_CACHE", "/legacy")).hubCache());
        assertEquals(Path.of(System.getProperty("user.home"), "hf"),
                HubSettings.fromEnvironment(Map.of("HF_HOME", "~/hf")).hfHome());
    }

    @Test
    void endpointLosesTrailingSlashesAndMustBeHttp() {
        assertEquals("http://127.0.0.1:8080", HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080/")).endpoint());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://mirror")));
        assertTrue(e.getMessage().contains("HF_ENDPOINT") && e.getMessage().contains("ftp://mirror"), e.getMessage());
    }

    @Test
    void tokenComesFromHfTokenThenTheTokenFile() throws Exception {
        Files.writeString(tmp.resolve("token"), "  hf_fromfile\r\n");
        String home = tmp.toString();
        assertEquals(Optional.of("hf_fromfile"), HubSettings.fromEnvironment(Map.of("HF_HOME", home)).token());
        assertEquals(Optional.of("hf_env"), HubSettings.fromEnvironment(Map.of("HF_HOME", home, "HF_TOKEN", "hf_env\n")).token());
        assertEquals(Optional.of("hf_legacy"), HubSettings.fromEnvironment(Map.of("HF_HOME", home, "HF_TOKEN", "",
                "HUGGING_FACE_HUB_TOKEN", "hf_legacy")).token());
        Files.writeString(tmp.resolve("elsewhere"), "hf_path");
        assertEquals(Optional.of("hf_path"), HubSettings.fromEnvironment(Map.of("HF_HOME", home,
                "HF_TOKEN_PATH", tmp.resolve("elsewhere").toString())).token());
        assertEquals(Optional.empty(), HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.resolve("none").toString())).token());
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HOME", home, "HF_TOKEN", "hf_env"));
        assertFalse(s.toString().contains("hf_env"), s.toString());
        assertTrue(s.toString().contains("token=<set>"), s.toString());
    }

    @ParameterizedTest
    @CsvSource({"1,true", "true,true", "YES,true", "on,true", "0,false", "false,false", "no,false"})
    void offlineAcceptsPythonsTrueValues(String value, boolean offline) {
        assertEquals(offline, HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", value)).offline());
        assertEquals(offline, HubSettings.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", value)).offline());
    }

    @Test
    void timeoutsAreSeconds() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HUB_ETAG_TIMEOUT", "3", "HF_HUB_DOWNLOAD_TIMEOUT", "60"));
        assertEquals(Duration.ofSeconds(3), s.etagTimeout());
        assertEquals(Duration.ofSeconds(60), s.downloadTimeout());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HubSettings.fromEnvironment(Map.of("HF_HUB_ETAG_TIMEOUT", "fast")));
        assertTrue(e.getMessage().contains("HF_HUB_ETAG_TIMEOUT") && e.getMessage().contains("fast"));
    }
}
