package dev.tune4j.io.hub;

import static dev.tune4j.io.hub.HubFixtures.listing;
import static dev.tune4j.io.hub.HubTestServer.gitSha1;
import static dev.tune4j.io.hub.HubTestServer.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.io.safetensors.SafetensorsFile;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.tensor.Tensor;
import dev.tune4j.testing.SharedData;
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
 * {@code AutoModelForCausalLM.fromPretrained("org/llama-tiny", ...)} through a loopback hub serving
 * the golden tiny Llama: the logits equal those of the folder loaded directly, and those
 * transformers recorded. Then the same from the cache with the hub gone, and from a cache laid
 * out by hand as Python writes it.
 */
class AutoModelHubTest {
    static final String COMMIT = "53fad641cfdb5105e2470bcf3ef17ea8e25cc300";
    static final List<String> FILES = List.of("config.json", "generation_config.json", "model.safetensors");

    @TempDir
    Path tmp;
    Path golden;
    HubTestServer server;

    @BeforeEach
    void start() {
        golden = SharedData.require("golden/llama_tiny");
        server = HubTestServer.start();
        server.repoFromFolder("org/llama-tiny", COMMIT, golden, FILES, Set.of("model.safetensors"))
                .file("README.md", "# llama-tiny".getBytes())
                .lfsFile("pytorch_model.bin", HubFixtures.randomBytes(1000, 3))
                .tag("v1.0");
    }

    @AfterEach
    void stop() {
        if (server == null) {
            return; // set-up skipped: no reference data
        }
        server.close();
        HubFixtures.assertNoServerThreads();
    }

    @Test
    void hubIdLoadsTheSameModelAsTheFolder() {
        HubClient hub = new HubClient(HubFixtures.settings(tmp, server.endpoint()));
        float[] expected = logits(AutoModelForCausalLM.fromPretrained(golden));
        float[] viaHub;
        try (CausalLM model = hub.asDefault(() -> AutoModelForCausalLM.fromPretrained("org/llama-tiny",
                LoadOptions.builder().revision("v1.0").build()))) {
            viaHub = logits(model);
        }
        assertArrayEquals(expected, viaHub);
        assertClose(goldenLogits(), viaHub, 1e-4f);

        Path snap = tmp.resolve("hub-cache/models--org--llama-tiny/snapshots/" + COMMIT);
        assertEquals(new TreeSet<>(FILES), listing(snap), "README.md and pytorch_model.bin are not fetched");
        assertEquals(0, server.count("GET", "pytorch_model.bin") + server.count("HEAD", "pytorch_model.bin"));
        assertEquals(COMMIT, HubFixtures.readString(tmp.resolve("hub-cache/models--org--llama-tiny/refs/v1.0")));

        server.close(); // the second load needs no hub
        try (CausalLM again = hub.asDefault(() -> AutoModelForCausalLM.fromPretrained("org/llama-tiny",
                LoadOptions.builder().revision("v1.0").build()))) {
            assertArrayEquals(expected, logits(again));
        }
    }

    @Test
    void cacheLaidOutByPythonLoadsOffline() throws Exception {
        Path repo = tmp.resolve("py-cache/models--org--llama-tiny");
        Path snap = Files.createDirectories(repo.resolve("snapshots").resolve(COMMIT));
        Files.createDirectories(repo.resolve("blobs"));
        for (String f : FILES) {
            byte[] b = Files.readAllBytes(golden.resolve(f));
            String etag = f.endsWith(".safetensors") ? sha256(b) : gitSha1(b);
            Files.write(repo.resolve("blobs").resolve(etag), b);
            Files.createSymbolicLink(snap.resolve(f), Path.of("../../blobs/" + etag));
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        HubClient offline = new HubClient(HubFixtures.settings(tmp, server.endpoint()).toBuilder()
                .hubCache(tmp.resolve("py-cache")).offline(true).build());
        try (CausalLM model = offline.asDefault(() -> AutoModelForCausalLM.fromPretrained("org/llama-tiny",
                LoadOptions.defaults()))) {
            assertClose(goldenLogits(), logits(model), 1e-4f);
        }
        assertEquals(List.of(), server.requests());
    }

    @Test
    void neitherFolderNorRepoIdIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AutoModelForCausalLM.fromPretrained(tmp.resolve("no/such/dir").toString(), LoadOptions.defaults()));
        assertTrue(e.getMessage().contains("neither a local model folder") && e.getMessage().contains("no/such/dir"),
                e.getMessage());
    }

    private int[][] inputIds() {
        try (SafetensorsFile f = SafetensorsFile.open(golden.resolve("expected.safetensors"))) {
            Tensor t = f.tensor("input_ids_1");
            int[][] ids = new int[t.dim(0)][t.dim(1)];
            for (int r = 0; r < ids.length; r++) {
                for (int c = 0; c < ids[r].length; c++) {
                    ids[r][c] = (int) t.getLong((long) r * ids[r].length + c);
                }
            }
            return ids;
        }
    }

    private float[] goldenLogits() {
        try (SafetensorsFile f = SafetensorsFile.open(golden.resolve("expected.safetensors"))) {
            return f.tensor("logits_1").toFloatArray();
        }
    }

    private float[] logits(CausalLM model) {
        try (model) {
            return model.forward(inputIds(), null, null).logits().toFloatArray();
        }
    }

    private static void assertClose(float[] expected, float[] actual, float atol) {
        assertEquals(expected.length, actual.length);
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max <= atol, "max |diff| " + max + " > " + atol);
    }
}
