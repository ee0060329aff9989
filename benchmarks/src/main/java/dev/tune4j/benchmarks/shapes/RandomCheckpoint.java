package dev.tune4j.benchmarks.shapes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Writes a random checkpoint of a named {@link Shape} in the Hugging Face layout that
 * {@code save_pretrained} produces: config.json, generation_config.json, BF16 safetensors shards
 * ({@code model-0000i-of-0000n.safetensors}) and {@code model.safetensors.index.json}. Tensors are
 * generated and streamed one at a time, so a 7B shape needs no more memory than one tensor's
 * chunk. Benchmarks then load it through {@code AutoModelForCausalLM.fromPretrained}, the path a
 * user's checkpoint takes, and peers convert the same files.
 *
 * <pre>
 * java -cp benchmarks.jar dev.tune4j.benchmarks.shapes.RandomCheckpoint qwen2_5_0_5b /tmp/qwen-0.5b [--tokenizer DIR]
 * </pre>
 *
 * {@code --tokenizer} copies tokenizer.json (and tokenizer_config.json) from a folder, for
 * converters that need a vocabulary. Weights are uniform with the config's initializer range as
 * standard deviation, norms are ones, biases zero; the seed is fixed.
 */
public final class RandomCheckpoint {
    /** Shards of at most this many bytes (transformers' default is 5 GB; smaller shards exercise the index). */
    static final long SHARD_BYTES = 2_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RandomCheckpoint() {}

    /** One tensor of the checkpoint: name, shape, and how its values are drawn. */
    record Entry(String name, long[] shape, Fill fill) {
        long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    enum Fill { RANDOM, ONES, ZEROS }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: RandomCheckpoint SHAPE DIR [--tokenizer DIR]");
            System.exit(2);
        }
        Path tokenizer = args.length >= 4 && args[2].equals("--tokenizer") ? Path.of(args[3]) : null;
        long t0 = System.nanoTime();
        Path dir = write(Shape.named(args[0]), Path.of(args[1]), tokenizer);
        System.out.printf("wrote %s in %.1f s%n", dir, (System.nanoTime() - t0) / 1e9);
    }

    /** Writes the checkpoint into {@code dir} (created; files already there are replaced). */
    public static Path write(Shape shape, Path dir, Path tokenizerDir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode config = (ObjectNode) JSON.readTree(shape.configJson());
        List<Entry> entries = entries(config);
        Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        ObjectNode gen = JSON.createObjectNode();
        gen.set("bos_token_id", config.get("bos_token_id"));
        gen.set("eos_token_id", config.get("eos_token_id"));
        gen.put("transformers_version", "4.57.6");
        Files.writeString(dir.resolve("generation_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(gen));

        List<List<Entry>> shards = new ArrayList<>();
        List<Entry> current = null;
        long size = 0;
        for (Entry e : entries) {
            long bytes = e.numel() * 2;
            if (current == null || size + bytes > SHARD_BYTES && !current.isEmpty()) {
                current = new ArrayList<>();
                shards.add(current);
                size = 0;
            }
            current.add(e);
            size += bytes;
        }
        Map<String, String> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            for (Entry e : shards.get(i)) {
                weightMap.put(e.name(), name);
                total += e.numel() * 2;
            }
            writeShard(dir.resolve(name), shards.get(i));
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.writeString(dir.resolve("model.safetensors.index.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(index));
        if (tokenizerDir != null) {
            for (String f : List.of("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "special_tokens_map.json")) {
                if (Files.isRegularFile(tokenizerDir.resolve(f))) {
                    Files.copy(tokenizerDir.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dir;
    }

    /** The state dict of a Llama-family config (llama, qwen2, mistral), in save_pretrained's order. */
    static List<Entry> entries(JsonNode c) {
        long h = c.get("hidden_size").asLong();
        long inter = c.get("intermediate_size").asLong();
        int layers = c.get("num_hidden_layers").asInt();
        long heads = c.get("num_attention_heads").asLong();
        long kvHeads = c.path("num_key_value_heads").asLong(heads);
        long headDim = c.path("head_dim").asLong(h / heads);
        long vocab = c.get("vocab_size").asLong();
        boolean qkvBias = "qwen2".equals(c.get("model_type").asText());
        List<Entry> out = new ArrayList<>();
        out.add(new Entry("model.embed_tokens.weight", new long[] {vocab, h}, Fill.RANDOM));
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            out.add(new Entry(p + "input_layernorm.weight", new long[] {h}, Fill.ONES));
            out.add(new Entry(p + "self_attn.q_proj.weight", new long[] {heads * headDim, h}, Fill.RANDOM));
            out.add(new Entry(p + "self_attn.k_proj.weight", new long[] {kvHeads * headDim, h}, Fill.RANDOM));
            out.add(new Entry(p + "self_attn.v_proj.weight", new long[] {kvHeads * headDim, h}, Fill.RANDOM));
            if (qkvBias) {
                out.add(new Entry(p + "self_attn.q_proj.bias", new long[] {heads * headDim}, Fill.ZEROS));
                out.add(new Entry(p + "self_attn.k_proj.bias", new long[] {kvHeads * headDim}, Fill.ZEROS));
                out.add(new Entry(p + "self_attn.v_proj.bias", new long[] {kvHeads * headDim}, Fill.ZEROS));
            }
            out.add(new Entry(p + "self_attn.o_proj.weight", new long[] {h, heads * headDim}, Fill.RANDOM));
            out.add(new Entry(p + "post_attention_layernorm.weight", new long[] {h}, Fill.ONES));
            out.add(new Entry(p + "mlp.gate_proj.weight", new long[] {inter, h}, Fill.RANDOM));
            out.add(new Entry(p + "mlp.up_proj.weight", new long[] {inter, h}, Fill.RANDOM));
            out.add(new Entry(p + "mlp.down_proj.weight", new long[] {h, inter}, Fill.RANDOM));
        }
        out.add(new Entry("model.norm.weight", new long[] {h}, Fill.ONES));
        if (!c.path("tie_word_embeddings").asBoolean(false)) {
            out.add(new Entry("lm_head.weight", new long[] {vocab, h}, Fill.RANDOM));
        }
        return out;
    }

    private static void writeShard(Path file, List<Entry> entries) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Entry e : entries) {
            long bytes = e.numel() * 2;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("dtype", "BF16");
            t.put("shape", e.shape());
            t.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.name(), t);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (head.hasRemaining()) {
                ch.write(head);
            }
            for (Entry e : entries) {
                writeTensor(ch, e);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Values in chunks of 4M, each chunk drawn from its own seeded generator (in parallel). */
    private static void writeTensor(FileChannel ch, Entry e) throws IOException {
        final int chunk = 1 << 22;
        long n = e.numel();
        int chunks = (int) ((n + chunk - 1) / chunk);
        long seed = e.name().hashCode() * 0x9E3779B97F4A7C15L;
        // uniform(-a, a) has standard deviation a / sqrt(3)
        float a = (float) (0.02 * Math.sqrt(3));
        ByteBuffer[] bufs = new ByteBuffer[2];
        for (int c0 = 0; c0 < chunks; c0 += 2) {
            int first = c0;
            IntStream.range(0, Math.min(2, chunks - c0)).parallel().forEach(j -> {
                int c = first + j;
                int len = (int) Math.min(chunk, n - (long) c * chunk);
                ByteBuffer b = bufs[j] == null || bufs[j].capacity() < 2 * len
                        ? ByteBuffer.allocateDirect(2 * chunk).order(ByteOrder.LITTLE_ENDIAN) : bufs[j];
                b.clear();
                short fixed = switch (e.fill()) {
                    case ONES -> (short) 0x3F80;
                    case ZEROS -> (short) 0;
                    case RANDOM -> 0;
                };
                SplittableRandom r = new SplittableRandom(seed + c);
                for (int i = 0; i < len; i++) {
                    short v = fixed;
                    if (e.fill() == Fill.RANDOM) {
                        float f = ((r.nextInt() >>> 8) * 0x1p-24f * 2f - 1f) * a;
                        v = (short) (Float.floatToRawIntBits(f) >>> 16);
                    }
                    b.putShort(v);
                }
                b.flip();
                bufs[j] = b;
            });
            for (int j = 0; j < Math.min(2, chunks - c0); j++) {
                while (bufs[j].hasRemaining()) {
                    ch.write(bufs[j]);
                }
            }
        }
    }
}
