package dev.tune4j.benchmarks.serving;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.lora.serving.GenerationRequest;
import dev.tune4j.lora.serving.LoraServer;
import dev.tune4j.lora.serving.RequestOutput;
import dev.tune4j.models.CausalLM;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The throughput of {@link MultiLoraThroughputBenchmark}'s servers (base alone, 1, 8 and 32
 * adapters), measured round-robin in one process: round after round, each server generates one
 * batch of 32 x 24 tokens in turn, so load from other processes falls on every configuration alike.
 * Prints each configuration's median tokens/s and its ratio to the base in the same rounds.
 *
 * <p>Run: {@code java --add-modules=jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * dev.tune4j.benchmarks.serving.InterleavedThroughput [ROUNDS]}
 */
public final class InterleavedThroughput {
    private InterleavedThroughput() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        int[] configs = {0, 1, 8, 32};
        Path dir = Files.createTempDirectory("interleaved-serving");
        List<Path> loras = ServingModels.writeAdapters(dir, 32, 16);
        List<CausalLM> models = new ArrayList<>();
        List<LoraServer> servers = new ArrayList<>();
        List<List<GenerationRequest>> requests = new ArrayList<>();
        GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(MultiLoraThroughputBenchmark.NEW_TOKENS).build();
        for (int n : configs) {
            CausalLM m = ServingModels.base();
            LoraServer s = LoraServer.builder(m).maxLoras(Math.max(1, n)).maxNumSeqs(MultiLoraThroughputBenchmark.REQUESTS)
                    .build();
            for (int i = 0; i < n; i++) {
                s.loadLora("lora-" + i, loras.get(i));
            }
            List<GenerationRequest> rs = new ArrayList<>();
            for (int r = 0; r < MultiLoraThroughputBenchmark.REQUESTS; r++) {
                int[] prompt = new int[MultiLoraThroughputBenchmark.PROMPT];
                prompt[0] = 1;
                for (int t = 1; t < prompt.length; t++) {
                    prompt[t] = 100 + (r * 131 + t * 17) % 30000;
                }
                rs.add(GenerationRequest.builder().promptTokenIds(prompt).loraName(n == 0 ? null : "lora-" + (r % n))
                        .config(cfg).build());
            }
            models.add(m);
            servers.add(s);
            requests.add(rs);
        }
        double[][] rates = new double[configs.length][rounds];
        for (int round = -2; round < rounds; round++) {          // two warm-up rounds
            for (int c = 0; c < configs.length; c++) {
                long t0 = System.nanoTime();
                List<CompletableFuture<RequestOutput>> fs = new ArrayList<>();
                for (GenerationRequest r : requests.get(c)) {
                    fs.add(servers.get(c).submit(r));
                }
                int tokens = 0;
                for (var f : fs) {
                    tokens += f.join().tokenIds().length;
                }
                if (round >= 0) {
                    rates[c][round] = tokens / ((System.nanoTime() - t0) / 1e9);
                }
            }
        }
        double[] baseRates = rates[0];
        for (int c = 0; c < configs.length; c++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = rates[c][r] / baseRates[r];
            }
            System.out.printf(Locale.ROOT, "adapters=%2d  median %.1f tokens/s  ratio to base (median of rounds) %.3f%n",
                    configs[c], median(rates[c]), median(ratio));
        }
        servers.forEach(LoraServer::close);
        models.forEach(CausalLM::close);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
