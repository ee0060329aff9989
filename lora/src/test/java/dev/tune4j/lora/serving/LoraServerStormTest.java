package dev.tune4j.lora.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.CausalLM;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 64 concurrent callers, 8 adapters and the base model, through one server: every answer equals
 * what the same adapter gives alone through {@link PeftModel#generate}.
 */
class LoraServerStormTest {
    @TempDir
    Path tmp;

    private record Job(String adapter, int[] prompt, GenerationConfig config) {}

    @Test
    void sixtyFourConcurrentRequestsOverEightAdaptersMatchEachAdapterAlone() throws Exception {
        Adapters a = new Adapters(tmp);
        List<String> names = new ArrayList<>(a.dirs.keySet());
        assertEquals(8, names.size());
        Random rnd = new Random(7);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            String adapter = i % 9 == 8 ? null : names.get(i % 9);
            int[] prompt = new int[3 + rnd.nextInt(10)];
            prompt[0] = 1;
            for (int t = 1; t < prompt.length; t++) {
                prompt[t] = 3 + rnd.nextInt(500);
            }
            var cfg = GenerationConfig.builder().maxNewTokens(4 + rnd.nextInt(12)).eosTokenId(2);
            if (i % 4 == 3) {
                cfg.doSample(true).seed(1000L + i).topK(0);
            }
            jobs.add(new Job(adapter, prompt, cfg.build()));
        }
        // Expected: each adapter alone, one PeftModel per adapter (the base model for null).
        Map<Integer, int[]> expected = new HashMap<>();
        try (CausalLM plain = a.base()) {
            for (int i = 0; i < jobs.size(); i++) {
                if (jobs.get(i).adapter() == null) {
                    expected.put(i, Adapters.alone(plain, null, jobs.get(i).prompt(), jobs.get(i).config()));
                }
            }
        }
        for (String n : names) {
            try (PeftModel p = PeftModel.fromPretrained(a.base(), a.dirs.get(n))) {
                for (int i = 0; i < jobs.size(); i++) {
                    if (n.equals(jobs.get(i).adapter())) {
                        expected.put(i, Adapters.alone(p, "default", jobs.get(i).prompt(), jobs.get(i).config()));
                    }
                }
            }
        }
        // Adapters do change the answers: otherwise the comparison proves little.
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 9; i++) {
            distinct.add(java.util.Arrays.toString(expected.get(i)));
        }
        assertTrue(distinct.size() >= 6, "adapters should answer differently: " + distinct);

        try (CausalLM model = a.base();
                LoraServer server = LoraServer.builder(model).maxLoras(4).maxLoraRank(16).maxNumSeqs(16)
                        .maxQueuedRequests(64).build()) {
            for (String n : names) {
                server.loadLora(n, a.dirs.get(n));
            }
            assertEquals(4, server.stats().residentLoras().size(), "maxLoras bounds the resident adapters");
            ExecutorService pool = Executors.newFixedThreadPool(64);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[][]>> answers = new ArrayList<>();
            for (Job job : jobs) {
                answers.add(pool.submit(() -> {
                    start.await();
                    List<Integer> streamed = new CopyOnWriteArrayList<>();
                    RequestOutput out = server.generate(GenerationRequest.builder().promptTokenIds(job.prompt())
                            .loraName(job.adapter()).config(job.config()).streamer(streamed::add).build());
                    int[] s = streamed.stream().mapToInt(Integer::intValue).toArray();
                    return new int[][] {out.tokenIds(), s};
                }));
            }
            start.countDown();
            for (int i = 0; i < jobs.size(); i++) {
                int[][] got = answers.get(i).get(60, TimeUnit.SECONDS);
                assertArrayEquals(expected.get(i), got[0], "request " + i + " (" + jobs.get(i).adapter() + ")");
                assertArrayEquals(got[0], got[1], "streamed tokens of request " + i);
            }
            pool.shutdown();
            ServerStats stats = server.stats();
            assertEquals(64, stats.completed());
            assertEquals(0, stats.failed());
            assertTrue(stats.steps() < stats.generatedTokens(), "rows shared steps: " + stats);
            // The server is still up.
            Job first = jobs.get(0);
            assertArrayEquals(expected.get(0), server.submit(GenerationRequest.builder().promptTokenIds(first.prompt())
                    .loraName(first.adapter()).config(first.config()).build()).get(10, TimeUnit.SECONDS).tokenIds());
        }
    }
}
