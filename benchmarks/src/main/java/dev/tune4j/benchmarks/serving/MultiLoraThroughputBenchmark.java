package dev.tune4j.benchmarks.serving;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.lora.serving.GenerationRequest;
import dev.tune4j.lora.serving.LoraServer;
import dev.tune4j.lora.serving.RequestOutput;
import dev.tune4j.models.CausalLM;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Generated tokens per second of a {@link LoraServer} serving 32 concurrent requests spread
 * round-robin over {@code adapters} distinct rank-16 adapters, against the base model alone
 * ({@code adapters = 0}, the baseline of the same run). Every request is greedy with 24 new tokens
 * and no eos, so each invocation generates exactly {@code 32 x 24} tokens and the score is tokens/s.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar MultiLoraThroughputBenchmark}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 4)
@Measurement(iterations = 3, time = 6)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class MultiLoraThroughputBenchmark {
    static final int REQUESTS = 32;
    static final int NEW_TOKENS = 24;
    static final int PROMPT = 16;

    @Param({"0", "1", "8", "32"})
    public int adapters;

    private Path dir;
    private CausalLM model;
    private LoraServer server;
    private List<GenerationRequest> requests;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("multi-lora-bench");
        List<Path> loras = ServingModels.writeAdapters(dir, adapters, 16);
        model = ServingModels.base();
        server = LoraServer.builder(model).maxLoras(Math.max(1, adapters)).maxLoraRank(16).maxNumSeqs(REQUESTS).build();
        for (int i = 0; i < loras.size(); i++) {
            server.loadLora("lora-" + i, loras.get(i));
        }
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(NEW_TOKENS).build();
        requests = new ArrayList<>();
        for (int r = 0; r < REQUESTS; r++) {
            int[] prompt = new int[PROMPT];
            prompt[0] = 1;
            for (int t = 1; t < PROMPT; t++) {
                prompt[t] = 100 + (r * 131 + t * 17) % 30000;
            }
            requests.add(GenerationRequest.builder().promptTokenIds(prompt)
                    .loraName(adapters == 0 ? null : "lora-" + (r % adapters)).config(cfg).build());
        }
    }

    /** Tokens/s: one invocation submits the 32 requests together and waits for all of them. */
    @Benchmark
    @OperationsPerInvocation(REQUESTS * NEW_TOKENS)
    public int serve() {
        List<CompletableFuture<RequestOutput>> futures = new ArrayList<>(REQUESTS);
        for (GenerationRequest r : requests) {
            futures.add(server.submit(r));
        }
        int tokens = 0;
        for (var f : futures) {
            tokens += f.join().tokenIds().length;
        }
        if (tokens != REQUESTS * NEW_TOKENS) {
            throw new IllegalStateException("expected " + REQUESTS * NEW_TOKENS + " tokens, got " + tokens);
        }
        return tokens;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        server.close();
        model.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
