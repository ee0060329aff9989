package dev.tune4j.tokenizers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Trains a byte-level BPE tokenizer, as Python
 * {@code Tokenizer(BPE()); pre_tokenizer = ByteLevel(add_prefix_space=False);
 * tokenizer.train_from_iterator(texts, BpeTrainer(vocab_size=..., min_frequency=..., special_tokens=[...],
 * initial_alphabet=ByteLevel.alphabet()))}.
 *
 * <p>The merge loop follows the reference trainer step for step (pair counts, the priority order
 * "highest count, then smallest pair of ids", lazy re-queuing of stale counts), so the learned
 * merges are the reference's. The result uses the ByteLevel pre-tokenizer, post-processor and
 * decoder, and {@link Tokenizer#save} writes a tokenizer.json that the reference reads.
 *
 * <pre>{@code
 * Tokenizer tok = BpeTrainer.builder().vocabSize(8000).minFrequency(2)
 *         .specialTokens(List.of("<|endoftext|>")).build().train(texts);
 * tok.save(Path.of("tokenizer.json"));
 * }</pre>
 */
public final class BpeTrainer {
    private final int vocabSize;
    private final long minFrequency;
    private final List<String> specialTokens;

    private BpeTrainer(Builder b) {
        this.vocabSize = b.vocabSize;
        this.minFrequency = b.minFrequency;
        this.specialTokens = List.copyOf(b.specialTokens);
    }

    /** A builder with the reference defaults (vocab_size 30000, min_frequency 0, no special tokens). */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of {@link BpeTrainer}. */
    public static final class Builder {
        private int vocabSize = 30_000;
        private long minFrequency = 0;
        private List<String> specialTokens = List.of();

        private Builder() {}

        /** Python {@code vocab_size}: final size including special tokens and the 256 byte symbols. */
        public Builder vocabSize(int v) {
            if (v <= 0) {
                throw new IllegalArgumentException("vocab_size must be > 0, found " + v);
            }
            vocabSize = v;
            return this;
        }

        /** Python {@code min_frequency}: pairs seen fewer times are not merged. */
        public Builder minFrequency(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("min_frequency must be >= 0, found " + v);
            }
            minFrequency = v;
            return this;
        }

        /** Python {@code special_tokens}: given the first ids and added as special tokens. */
        public Builder specialTokens(List<String> v) {
            specialTokens = List.copyOf(v);
            return this;
        }

        public BpeTrainer build() {
            return new BpeTrainer(this);
        }
    }

    /** One queued pair: its count when queued and the words it was seen in. */
    private record Merge(long pair, long count, Set<Integer> pos) {}

    private static int first(long pair) {
        return (int) (pair >>> 32);
    }

    private static int second(long pair) {
        return (int) pair;
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** Trains on {@code texts} and returns the tokenizer. */
    public Tokenizer train(Iterable<String> texts) {
        // 1. Word counts after ByteLevel pre-tokenization (GPT-2 regex, no prefix space).
        PreTokenizers.ByteLevel pre = new PreTokenizers.ByteLevel(false, true, true);
        Map<String, Long> wordCounts = new HashMap<>();
        for (String text : texts) {
            PreTokenizedString pts = new PreTokenizedString(Chars.sanitize(text));
            NormalizedString ns = NormalizedString.of(pts.original);
            if (!ns.isEmpty()) {
                pts.add(ns, null);
            }
            pre.preTokenize(pts);
            for (NormalizedString p : pts.pieces) wordCounts.merge(p.normalized, 1L, Long::sum);
        }
        // 2. Vocabulary: special tokens, then the alphabet sorted by code point.
        Map<String, Integer> w2id = new HashMap<>();
        List<String> id2w = new ArrayList<>();
        for (String s : specialTokens) {
            if (!w2id.containsKey(s)) {
                w2id.put(s, id2w.size());
                id2w.add(s);
            }
        }
        java.util.TreeSet<Integer> alphabet = new java.util.TreeSet<>();
        for (int b = 0; b < 256; b++) alphabet.add((int) ByteMap.BYTE_TO_CHAR[b]);
        for (String w : wordCounts.keySet()) w.codePoints().forEach(alphabet::add);
        for (int c : alphabet) {
            String s = new String(Character.toChars(c));
            if (!w2id.containsKey(s)) {
                w2id.put(s, id2w.size());
                id2w.add(s);
            }
        }
        // 3. Words as symbol ids.
        List<int[]> words = new ArrayList<>(wordCounts.size());
        List<Integer> wordLen = new ArrayList<>();
        long[] counts = new long[wordCounts.size()];
        int wi = 0;
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            int[] sym = e.getKey().codePoints().map(c -> w2id.getOrDefault(new String(Character.toChars(c)), -1))
                    .filter(id -> id >= 0).toArray();
            words.add(sym);
            wordLen.add(sym.length);
            counts[wi++] = e.getValue();
        }
        int[] lens = wordLen.stream().mapToInt(Integer::intValue).toArray();
        // 4. Pair counts and where each pair occurs.
        Map<Long, Integer> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            int[] w = words.get(i);
            for (int k = 0; k + 1 < lens[i]; k++) {
                long p = pair(w[k], w[k + 1]);
                pairCounts.merge(p, (int) counts[i], Integer::sum);
                where.computeIfAbsent(p, x -> new HashSet<>()).add(i);
            }
        }
        PriorityQueue<Merge> queue = new PriorityQueue<>((a, b) -> a.count() != b.count()
                ? Long.compare(b.count(), a.count()) : Long.compare(a.pair(), b.pair()));
        for (Map.Entry<Long, Set<Integer>> e : where.entrySet()) {
            int c = pairCounts.get(e.getKey());
            if (c > 0) {
                queue.add(new Merge(e.getKey(), c, e.getValue()));
            }
        }
        where.clear();
        // 5. Merge loop.
        List<long[]> merges = new ArrayList<>(); // {pair, newId}
        while (w2id.size() < vocabSize && !queue.isEmpty()) {
            Merge top = queue.poll();
            int current = pairCounts.get(top.pair());
            if (top.count() != current) {
                queue.add(new Merge(top.pair(), current, top.pos()));
                continue;
            }
            if (top.count() < 1 || minFrequency > top.count()) {
                break;
            }
            String newToken = id2w.get(first(top.pair())) + id2w.get(second(top.pair()));
            Integer newId = w2id.get(newToken);
            if (newId == null) {
                newId = id2w.size();
                id2w.add(newToken);
                w2id.put(newToken, newId);
            }
            merges.add(new long[] {top.pair(), newId});
            for (int i : top.pos()) {
                int[] w = words.get(i);
                int n = lens[i];
                int a = first(top.pair());
                int b = second(top.pair());
                int k = 0;
                while (k < n) {
                    if (w[k] == a && k + 1 < n && w[k + 1] == b) {
                        if (k > 0) {
                            change(pairCounts, where, pair(w[k - 1], a), -1, counts[i], i);
                            change(pairCounts, where, pair(w[k - 1], newId), 1, counts[i], i);
                        }
                        w[k] = newId;
                        System.arraycopy(w, k + 2, w, k + 1, n - k - 2);
                        n--;
                        if (k < n - 1) {
                            change(pairCounts, where, pair(b, w[k + 1]), -1, counts[i], i);
                            change(pairCounts, where, pair(newId, w[k + 1]), 1, counts[i], i);
                        }
                    }
                    k++;
                }
                lens[i] = n;
            }
            for (Map.Entry<Long, Set<Integer>> e : where.entrySet()) {
                int c = pairCounts.get(e.getKey());
                if (c > 0) {
                    queue.add(new Merge(e.getKey(), c, e.getValue()));
                }
            }
            where.clear();
        }
        return Tokenizer.fromTree(tree(id2w, merges), "trained BPE");
    }

    private static void change(Map<Long, Integer> pairCounts, Map<Long, Set<Integer>> where, long p, int delta,
                               long count, int word) {
        pairCounts.merge(p, (int) (delta * count), Integer::sum);
        if (delta > 0) {
            where.computeIfAbsent(p, x -> new HashSet<>()).add(word);
        }
    }

    /** The tokenizer.json of the trained model, as the reference serializes it. */
    private ObjectNode tree(List<String> id2w, List<long[]> merges) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : specialTokens) {
            added.add(f.objectNode().put("id", id2w.indexOf(s)).put("content", s).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true));
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(f));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < id2w.size(); i++) vocab.put(id2w.get(i), i);
        // A pair merged twice keeps its last rank, as the reference's merge map does when saved.
        Map<Long, Integer> rank = new LinkedHashMap<>();
        for (int i = 0; i < merges.size(); i++) rank.put(merges.get(i)[0], i);
        TreeMap<Integer, Long> byRank = new TreeMap<>();
        rank.forEach((p, r) -> byRank.put(r, p));
        ArrayNode ms = model.putArray("merges");
        for (long p : byRank.values()) {
            ms.add(f.arrayNode().add(id2w.get(first(p))).add(id2w.get(second(p))));
        }
        root.set("post_processor", byteLevel(f));
        root.set("decoder", byteLevel(f));
        return root;
    }

    private static ObjectNode byteLevel(JsonNodeFactory f) {
        return f.objectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", true);
    }

    @Override
    public String toString() {
        return "BpeTrainer(vocabSize=" + vocabSize + ", minFrequency=" + minFrequency + ", specialTokens="
                + Arrays.toString(specialTokens.toArray()) + ")";
    }
}
