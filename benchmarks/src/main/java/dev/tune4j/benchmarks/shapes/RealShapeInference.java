package dev.tune4j.benchmarks.shapes;

import dev.tune4j.generation.IncrementalDecoder;
import dev.tune4j.models.AutoModelForCausalLM;
import dev.tune4j.models.CausalLM;
import dev.tune4j.models.LoadOptions;
import dev.tune4j.quant.BitsAndBytesConfig;
import dev.tune4j.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Prefill and decode speed of a checkpoint loaded through {@code AutoModelForCausalLM.fromPretrained},
 * measured as llama.cpp's {@code llama-bench} measures them, so the two print comparable figures:
 * prefill ({@code pp}) runs {@code N} random prompt tokens through an empty cache and computes the
 * last position's logits; decode ({@code tg}) feeds one token at a time (greedy, the argmax of
 * the previous logits) after a prompt of {@code C} tokens, through the same incremental decoder
 * {@code generate} drives. Each figure is the median of {@code --reps} fresh runs after one
 * warm-up run.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.tune4j.benchmarks.shapes.RealShapeInference \
 *     --model /tmp/qwen-0.5b --weights BF16 --prefill 256 --context 0,1024 --decode 32 --reps 3
 * </pre>
 *
 * {@code --weights}: F32 (widened on load), BF16 (as stored, memory-mapped), NF4 or NF4DQ
 * (bitsandbytes 4-bit, without or with double quantization, lm_head dense as transformers keeps it);
 * {@code --quantized-head} quantizes lm_head too, as transformers does when
 * {@code llm_int8_skip_modules} is given without it. Prints one line per figure, and the JSON
 * {@code {"test": "pp256", "tok_s": ...}} after it.
 */
public final class RealShapeInference {
    private RealShapeInference() {}

    public static void main(String[] args) {
        Path model = null;
        String weights = "BF16";
        boolean quantHead = false;
        int[] prefill = {256};
        int[] contexts = {0};
        int decode = 32;
        int reps = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--weights" -> weights = args[++i].toUpperCase(Locale.ROOT);
                case "--quantized-head" -> quantHead = true;
                case "--prefill" -> prefill = ints(args[++i]);
                case "--context" -> contexts = ints(args[++i]);
                case "--decode" -> decode = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model DIR is required");
        }
        long t0 = System.nanoTime();
        try (CausalLM lm = AutoModelForCausalLM.fromPretrained(model, options(weights, quantHead))) {
            System.out.printf(Locale.ROOT, "loaded %s as %s%s in %.1f s (threads %d)%n", model, weights,
                    quantHead ? " with a 4-bit lm_head" : "", (System.nanoTime() - t0) / 1e9,
                    dev.tune4j.backend.cpu.Parallel.parallelism());
            int vocab = lm.config().vocabSize();
            for (int n : prefill) {
                double[] times = new double[reps];
                for (int r = -1; r < reps; r++) {
                    int[] ids = prompt(n, vocab, r);
                    try (IncrementalDecoder d = lm.newDecoder(1, n + 1)) {
                        long s = System.nanoTime();
                        d.step(new int[][] {ids}, new int[][] {range(0, n)}, null);
                        if (r >= 0) {
                            times[r] = (System.nanoTime() - s) / 1e9;
                        }
                    }
                }
                report("pp" + n, weights, quantHead, n / median(times));
            }
            for (int c : contexts) {
                double[] times = new double[reps];
                for (int r = -1; r < reps; r++) {
                    double t = decodeRun(lm, vocab, c, r < 0 ? Math.min(decode, 8) : decode, r);
                    if (r >= 0) {
                        times[r] = t;
                    }
                }
                report("tg" + decode + (c > 0 ? "@" + c : ""), weights, quantHead, decode / median(times));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seconds for {@code tokens} one-token steps after a {@code context}-token prompt. */
    private static double decodeRun(CausalLM lm, int vocab, int context, int tokens, int rep) throws Exception {
        try (IncrementalDecoder d = lm.newDecoder(1, context + tokens + 1)) {
            int next = 1;
            if (context > 0) {
                float[][] logits = d.step(new int[][] {prompt(context, vocab, rep)}, new int[][] {range(0, context)}, null);
                next = argmax(logits[0]);
            }
            long s = System.nanoTime();
            for (int i = 0; i < tokens; i++) {
                float[][] logits = d.step(new int[][] {{next}}, new int[][] {{context + i}}, null);
                next = argmax(logits[0]);
            }
            return (System.nanoTime() - s) / 1e9;
        }
    }

    static LoadOptions options(String weights, boolean quantHead) {
        var b = LoadOptions.builder();
        switch (weights) {
            case "F32" -> b.torchDtype(DType.F32);
            case "BF16" -> { }
            case "NF4", "NF4DQ" -> {
                var q = BitsAndBytesConfig.builder().loadIn4bit(true).bnb4bitQuantType("nf4")
                        .bnb4bitComputeDtype(DType.BF16).bnb4bitUseDoubleQuant(weights.equals("NF4DQ"));
                if (quantHead) {
                    q.llmInt8SkipModules(List.of());
                }
                b.quantizationConfig(q.build());
            }
            default -> throw new IllegalArgumentException("--weights F32, BF16, NF4 or NF4DQ, not " + weights);
        }
        if (quantHead && !weights.startsWith("NF4")) {
            throw new IllegalArgumentException("--quantized-head needs --weights NF4 or NF4DQ");
        }
        return b.build();
    }

    private static void report(String test, String weights, boolean quantHead, double tokS) {
        System.out.printf(Locale.ROOT, "%-10s %-6s%s %10.2f tok/s%n", test, weights, quantHead ? "+head4" : "", tokS);
        System.out.printf(Locale.ROOT, "{\"test\": \"%s\", \"weights\": \"%s\", \"quantized_head\": %s, \"tok_s\": %.3f}%n",
                test, weights, quantHead, tokS);
    }

    private static int[] prompt(int n, int vocab, int rep) {
        SplittableRandom r = new SplittableRandom(42 + rep);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(Math.min(vocab, 32000));
        }
        return ids;
    }

    private static int[] range(int from, int to) {
        int[] p = new int[to - from];
        Arrays.setAll(p, i -> from + i);
        return p;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static int[] ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String p : csv.split(",")) {
            out.add(Integer.parseInt(p.trim()));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
