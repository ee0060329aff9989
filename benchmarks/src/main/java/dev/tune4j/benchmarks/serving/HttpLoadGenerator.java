package dev.tune4j.benchmarks.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load generator for an OpenAI-compatible server: {@code concurrency} clients each
 * send {@code /v1/completions} requests back to back (the {@code model} field cycling over the
 * given names) until {@code requests} were sent; reports requests/s, generated tokens/s and the
 * p50 / p90 / p99 latency, plus the count of each HTTP status. The JDK's HttpClient, no dependency.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.tune4j.benchmarks.serving.HttpLoadGenerator
 * --url http://127.0.0.1:8000 --models model,lora-0,lora-1 --concurrency 16 --requests 256 --max-tokens 16}
 */
public final class HttpLoadGenerator {
    private HttpLoadGenerator() {}

    /** One run's figures. */
    public record Report(int requests, double seconds, double requestsPerSecond, double tokensPerSecond,
            double p50Millis, double p90Millis, double p99Millis, Map<Integer, Integer> statuses) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "requests=%d time=%.2fs throughput=%.2f req/s %.1f tokens/s latency p50=%.1fms p90=%.1fms"
                            + " p99=%.1fms statuses=%s", requests, seconds, requestsPerSecond, tokensPerSecond, p50Millis,
                    p90Millis, p99Millis, statuses);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --flag value pairs, found '" + args[i] + "'");
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        String url = a.getOrDefault("url", "http://127.0.0.1:8000");
        List<String> models = Arrays.asList(a.getOrDefault("models", "model").split(","));
        int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "16"));
        int requests = Integer.parseInt(a.getOrDefault("requests", "256"));
        int maxTokens = Integer.parseInt(a.getOrDefault("max-tokens", "16"));
        int promptTokens = Integer.parseInt(a.getOrDefault("prompt-tokens", "16"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", String.valueOf(concurrency)));
        if (warmup > 0) {
            run(url, models, concurrency, warmup, maxTokens, promptTokens);
        }
        System.out.println(run(url, models, concurrency, requests, maxTokens, promptTokens));
    }

    /** Sends {@code requests} completions with {@code concurrency} clients and measures them. */
    public static Report run(String url, List<String> models, int concurrency, int requests, int maxTokens,
            int promptTokens) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        ObjectMapper json = new ObjectMapper();
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicLong tokens = new AtomicLong();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            for (int c = 0; c < concurrency; c++) {
                pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < requests) {
                        StringBuilder prompt = new StringBuilder("[1");
                        for (int t = 1; t < promptTokens; t++) {
                            prompt.append(',').append(100 + (i * 131 + t * 17) % 30000);
                        }
                        prompt.append(']');
                        String body = "{\"model\": \"" + models.get(i % models.size()) + "\", \"prompt\": " + prompt
                                + ", \"max_tokens\": " + maxTokens + ", \"temperature\": 0, \"ignore_eos\": true}";
                        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        long t0 = System.nanoTime();
                        int status;
                        try {
                            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                            status = r.statusCode();
                            if (status == 200) {
                                JsonNode usage = json.readTree(r.body()).get("usage");
                                tokens.addAndGet(usage.get("completion_tokens").asLong());
                            }
                        } catch (Exception e) {
                            status = -1;
                        }
                        latencies[i] = System.nanoTime() - t0;
                        statuses.merge(status, 1, Integer::sum);
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return new Report(requests, seconds, requests / seconds, tokens.get() / seconds, pct(sorted, 0.50),
                pct(sorted, 0.90), pct(sorted, 0.99), new TreeMap<>(statuses));
    }

    private static double pct(long[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }
}
