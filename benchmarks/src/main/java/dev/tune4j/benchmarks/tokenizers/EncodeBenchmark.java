package dev.tune4j.benchmarks.tokenizers;

import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune4j.tokenizers.Encoding;
import dev.tune4j.tokenizers.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode throughput of the pure-Java tokenizer against the reference Rust implementation
 * (Hugging Face tokenizers 0.21 through DJL's JNI binding, built from the same tokenizer.json) in
 * the same run, on ~1 KB lines built from shared/tokenizers/corpus.jsonl.
 *
 * <p>Warm-up is long (2 x 5 s) because the JIT needs it on a busy 2-core machine. Each invocation
 * encodes every line once ({@code *Single}: one call per line; {@code *Batch}:
 * one batch call). The auxiliary counters {@code bytes} and {@code tokens} give UTF-8 bytes and
 * tokens per second. Run with {@code -t 1}; both batch calls are parallel (the reference on its own
 * thread pool, this library on the common fork-join pool).
 * The data folder is found through {@code -Dtune4j.shared=...}, {@code TUNE4J_SHARED} or a
 * {@code shared/} folder beside the working directory or one of its parents.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class EncodeBenchmark {
    @Param({"qwen2_5", "llama3_2", "gpt2", "bert_base_uncased"})
    public String family;

    private Tokenizer java;
    private long rust;
    private String[] lines;
    private List<String> lineList;
    private long lineBytes;

    /** Bytes and tokens encoded, reported by JMH as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long bytes;
        public long tokens;
    }

    static Path sharedTokenizers() {
        String prop = System.getProperty("tune4j.shared", System.getenv("TUNE4J_SHARED"));
        if (prop != null && Files.isDirectory(Path.of(prop, "tokenizers"))) {
            return Path.of(prop, "tokenizers");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path c : List.of(dir.resolve("shared"), dir.resolveSibling("shared"))) {
                if (Files.isDirectory(c.resolve("tokenizers"))) {
                    return c.resolve("tokenizers");
                }
            }
        }
        throw new IllegalStateException("shared/tokenizers not found; pass -Dtune4j.shared=/path/to/shared");
    }

    /** Lines of at least 1 KB (UTF-8) made by joining corpus texts in order. */
    static List<String> lines(Path tokenizers) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        for (String l : Files.readAllLines(tokenizers.resolve("corpus.jsonl"), StandardCharsets.UTF_8)) {
            if (!l.isBlank()) {
                texts.add(om.readTree(l).get("text").asText());
            }
        }
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (int round = 0; round < 4; round++) {
            for (String t : texts) {
                sb.append(t).append(' ');
                if (sb.toString().getBytes(StandardCharsets.UTF_8).length >= 1024) {
                    out.add(sb.toString());
                    sb.setLength(0);
                }
            }
        }
        return out;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path dir = sharedTokenizers();
        Path file = dir.resolve(family).resolve("tokenizer.json");
        java = Tokenizer.fromFile(file);
        LibUtils.checkStatus();
        rust = TokenizersLibrary.LIB.createTokenizerFromString(Files.readString(file, StandardCharsets.UTF_8));
        lineList = lines(dir);
        lines = lineList.toArray(new String[0]);
        for (String l : lines) lineBytes += l.getBytes(StandardCharsets.UTF_8).length;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        TokenizersLibrary.LIB.deleteTokenizer(rust);
    }

    @Benchmark
    public long javaSingle(Counters c) {
        long n = 0;
        for (String l : lines) n += java.encode(l, true).length();
        c.bytes += lineBytes;
        c.tokens += n;
        return n;
    }

    @Benchmark
    public long rustSingle(Counters c) {
        TokenizersLibrary lib = TokenizersLibrary.LIB;
        long n = 0;
        for (String l : lines) {
            long e = lib.encode(rust, l, true);
            n += lib.getTokenIds(e).length;
            lib.deleteEncoding(e);
        }
        c.bytes += lineBytes;
        c.tokens += n;
        return n;
    }

    @Benchmark
    public long javaBatch(Counters c) {
        long n = 0;
        for (Encoding e : java.encodeBatch(lineList, true)) n += e.length();
        c.bytes += lineBytes;
        c.tokens += n;
        return n;
    }

    @Benchmark
    public long rustBatch(Counters c) {
        TokenizersLibrary lib = TokenizersLibrary.LIB;
        long n = 0;
        for (long e : lib.batchEncode(rust, lines, true)) {
            n += lib.getTokenIds(e).length;
            lib.deleteEncoding(e);
        }
        c.bytes += lineBytes;
        c.tokens += n;
        return n;
    }
}
