package dev.tune4j.lora.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.lora.PeftModel;
import dev.tune4j.models.CausalLM;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adapter limits, LRU eviction, refusal paths and per-request failures of {@link LoraServer}. */
class LoraServerTest {
    @TempDir
    static Path tmp;
    static Adapters a;
    static final int[] PROMPT = {1, 17, 250, 33, 9};
    static final GenerationConfig GREEDY = GenerationConfig.builder().maxNewTokens(8).eosTokenId(2).build();

    @BeforeAll
    static void adapters() {
        a = new Adapters(tmp);
    }

    private static GenerationRequest req(String lora, GenerationConfig c) {
        return GenerationRequest.builder().promptTokenIds(PROMPT).loraName(lora).config(c).build();
    }

    private static int[] alone(String adapter, GenerationConfig c) {
        try (PeftModel p = PeftModel.fromPretrained(a.base(), a.dirs.get(adapter))) {
            return Adapters.alone(p, "default", PROMPT, c);
        }
    }

    @Test
    void rankAboveMaxLoraRankAndDoraAreRefusedClearly() {
        try (CausalLM m = a.base(); LoraServer s = LoraServer.builder(m).maxLoraRank(8).build()) {
            var e = assertThrows(IllegalArgumentException.class, () -> s.loadLora("cat", a.dirs.get("weighted_cat")));
            assertTrue(e.getMessage().contains("LoRA rank 16") && e.getMessage().contains("maxLoraRank 8"), e.getMessage());
            var d = assertThrows(IllegalArgumentException.class, () -> s.loadLora("dora", a.peft.resolve("dora_adapter")));
            assertTrue(d.getMessage().contains("DoRA"), d.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.loadLora("x", tmp.resolve("missing")));
            assertThrows(IllegalArgumentException.class, () -> s.loadLora("__base__", a.dirs.get("adapter")));
            assertEquals(List.of(), s.listLoras());
            s.loadLora("one", a.dirs.get("adapter"));
            assertThrows(IllegalArgumentException.class, () -> s.loadLora("one", a.dirs.get("adapter2")));
            assertEquals(List.of("one"), s.listLoras());
        }
    }

    @Test
    void leastRecentlyUsedAdapterIsEvictedAndReloadedOnDemand() {
        try (CausalLM m = a.base(); LoraServer s = LoraServer.builder(m).maxLoras(2).build()) {
            s.loadLora("adapter", a.dirs.get("adapter"));
            s.loadLora("adapter2", a.dirs.get("adapter2"));
            assertEquals(List.of("adapter", "adapter2"), s.stats().residentLoras());
            int[] first = s.generate(req("adapter", GREEDY)).tokenIds();     // "adapter" is now the most recent
            s.loadLora("rslora", a.dirs.get("rslora_adapter"));
            assertEquals(List.of("adapter", "rslora"), s.stats().residentLoras());
            // adapter2 comes back from its folder, pushing out the least recently used ("adapter").
            assertArrayEquals(alone("adapter2", GREEDY), s.generate(req("adapter2", GREEDY)).tokenIds());
            assertEquals(List.of("rslora", "adapter2"), s.stats().residentLoras());
            assertArrayEquals(alone("adapter", GREEDY), first);
            assertEquals(List.of("adapter", "adapter2", "rslora"), s.listLoras());
        }
    }

    @Test
    void unknownAdaptersAndInvalidRequestsAreRefusedAtSubmission() {
        try (CausalLM m = a.base(); LoraServer s = LoraServer.builder(m).build()) {
            s.loadLora("adapter", a.dirs.get("adapter"));
            var u = assertThrows(UnknownLoraException.class, () -> s.submit(req("nope", GREEDY)));
            assertEquals("nope", u.loraName());
            assertThrows(IllegalArgumentException.class, () -> s.submit(GenerationRequest.builder()
                    .promptTokenIds(1, 512).config(GREEDY).build()));
            assertThrows(IllegalArgumentException.class, () -> s.submit(GenerationRequest.builder()
                    .prompt("hello").config(GREEDY).build()));
            assertThrows(IllegalArgumentException.class, () -> s.submit(req(null,
                    GenerationConfig.builder().maxNewTokens(4).doSample(true).temperature(0.0).build())));
            assertThrows(IllegalArgumentException.class, () -> s.submit(req(null,
                    GenerationConfig.builder().maxLength(3).build())));
            var tooLong = assertThrows(IllegalArgumentException.class, () -> s.submit(req(null,
                    GenerationConfig.builder().maxNewTokens(252).build())));
            assertTrue(tooLong.getMessage().contains("maximum context length is 256 tokens"), tooLong.getMessage());
            s.unloadLora("adapter");
            assertThrows(UnknownLoraException.class, () -> s.submit(req("adapter", GREEDY)));
            assertThrows(UnknownLoraException.class, () -> s.unloadLora("adapter"));
            assertEquals(0, s.stats().failed());
            int[] base;
            try (CausalLM plain = a.base()) {
                base = Adapters.alone(plain, null, PROMPT, GREEDY);
            }
            assertArrayEquals(base, s.generate(req(null, GREEDY)).tokenIds(), "the base still serves");
        }
    }

    @Test
    void overloadIsRefusedAndTheServerRecovers() throws Exception {
        try (CausalLM m = a.base(); LoraServer s = LoraServer.builder(m).maxNumSeqs(1).maxQueuedRequests(2).build()) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            var blocker = s.submit(GenerationRequest.builder().promptTokenIds(PROMPT).config(GREEDY).streamer(t -> {
                entered.countDown();
                await(release);
            }).build());
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            var q1 = s.submit(req(null, GREEDY));
            var q2 = s.submit(req(null, GREEDY));
            var e = assertThrows(ServerOverloadedException.class, () -> s.submit(req(null, GREEDY)));
            assertTrue(e.getMessage().contains("maxQueuedRequests=2"), e.getMessage());
            release.countDown();
            int[] base = blocker.get(10, TimeUnit.SECONDS).tokenIds();
            assertArrayEquals(base, q1.get(10, TimeUnit.SECONDS).tokenIds());
            assertArrayEquals(base, q2.get(10, TimeUnit.SECONDS).tokenIds());
            assertArrayEquals(base, s.generate(req(null, GREEDY)).tokenIds());
        }
    }

    @Test
    void aFailingOrCancelledRequestLeavesTheRestOfItsBatchIntact() throws Exception {
        GenerationConfig longer = GenerationConfig.builder().maxNewTokens(12).build();
        int[] expectAdapter = alone("adapter", longer);
        int[] expectBase;
        try (CausalLM plain = a.base()) {
            expectBase = Adapters.alone(plain, null, PROMPT, longer);
        }
        try (CausalLM m = a.base(); LoraServer s = LoraServer.builder(m).build()) {
            s.loadLora("adapter", a.dirs.get("adapter"));
            s.loadLora("adapter2", a.dirs.get("adapter2"));
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Holds the scheduler so the next four requests join the batch together.
            var gate = s.submit(GenerationRequest.builder().promptTokenIds(PROMPT).config(longer).streamer(t -> {
                entered.countDown();
                await(release);
            }).build());
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            var ok = s.submit(req("adapter", longer));
            AtomicInteger seen = new AtomicInteger();
            var broken = s.submit(GenerationRequest.builder().promptTokenIds(PROMPT).loraName("adapter2").config(longer)
                    .streamer(t -> {
                        if (seen.incrementAndGet() == 3) {
                            throw new IllegalStateException("client went away");
                        }
                    }).build());
            AtomicReference<CompletableFuture<RequestOutput>> self = new AtomicReference<>();
            List<Integer> cancelledTokens = new ArrayList<>();
            self.set(s.submit(GenerationRequest.builder().promptTokenIds(PROMPT).loraName("adapter2").config(longer)
                    .streamer(t -> {
                        cancelledTokens.add(t);
                        if (cancelledTokens.size() == 2) {
                            self.get().cancel(true);
                        }
                    }).build()));
            var base = s.submit(req(null, longer));
            release.countDown();
            assertArrayEquals(expectAdapter, ok.get(10, TimeUnit.SECONDS).tokenIds());
            assertArrayEquals(expectBase, base.get(10, TimeUnit.SECONDS).tokenIds());
            assertArrayEquals(expectBase, gate.get(10, TimeUnit.SECONDS).tokenIds());
            var e = assertThrows(ExecutionException.class, () -> broken.get(10, TimeUnit.SECONDS));
            assertEquals("client went away", e.getCause().getMessage());
            assertTrue(self.get().isCancelled());
            assertEquals(2, cancelledTokens.size(), "no token after cancellation");
            assertEquals(1, s.stats().failed());
            // stats() is a snapshot taken between steps: the batch empties right after the last step.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.stats().running() != 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(0, s.stats().running());
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
