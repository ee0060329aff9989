package dev.tune4j.examples.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune4j.tokenizers.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small byte-level BPE trainer for the embedded default's tokenizer.json (GPT-2 pre-tokenizer
 * regex, 256 byte symbols, then merges of the most frequent adjacent pair, ties broken by the
 * pair's text so the result is deterministic).
 *
 * <p>Written here because the tokenizers module's trainer was not yet available when the embedded
 * default was made; the file it produces is an ordinary Hugging Face tokenizer.json that
 * {@link Tokenizer#fromJson} and the Rust library read.
 */
final class ByteLevelBpe {
    // The GPT-2 split, which the ByteLevel pre-tokenizer applies with use_regex=true.
    private static final Pattern SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private ByteLevelBpe() {}

    /** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to 256 and up. */
    static char[] byteToChar() {
        char[] map = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable[b] ? (char) b : (char) (256 + next++);
        }
        return map;
    }

    /**
     * Trains on {@code texts} and returns the tokenizer: the special tokens first (ids 0..), then
     * the 256 byte symbols, then one token per merge up to {@code vocabSize}.
     */
    static Tokenizer train(Iterable<String> texts, int vocabSize, List<String> specialTokens) {
        char[] b2c = byteToChar();
        Map<String, Long> wordCounts = new TreeMap<>();
        for (String text : texts) {
            Matcher m = SPLIT.matcher(text);
            while (m.find()) {
                byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
                StringBuilder sb = new StringBuilder();
                for (byte x : bytes) sb.append(b2c[x & 0xFF]);
                wordCounts.merge(sb.toString(), 1L, Long::sum);
            }
        }
        List<List<String>> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        wordCounts.forEach((w, c) -> {
            List<String> symbols = new ArrayList<>();
            w.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
            words.add(symbols);
            counts.add(c);
        });
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String s : specialTokens) vocab.put(s, vocab.size());
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(b2c[b]), vocab.size());
        List<String[]> merges = new ArrayList<>();
        while (vocab.size() < vocabSize) {
            Map<String, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairs.merge(s.get(i) + "\u0000" + s.get(i + 1), counts.get(w), Long::sum);
                }
            }
            String best = null;
            long bestCount = 1; // a pair seen once is not worth a token
            for (Map.Entry<String, Long> e : pairs.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) {
                break;
            }
            String[] pair = best.split("\u0000", 2);
            String joined = pair[0] + pair[1];
            merges.add(pair);
            vocab.put(joined, vocab.size());
            for (List<String> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(pair[0]) && s.get(i + 1).equals(pair[1])) {
                        s.set(i, joined);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return Tokenizer.fromJson(toJson(vocab, merges, specialTokens));
    }

    private static String toJson(Map<String, Integer> vocab, List<String[]> merges, List<String> specialTokens) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : specialTokens) {
            ObjectNode t = added.addObject();
            t.put("id", vocab.get(s));
            t.put("content", s);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(om, false, true));
        root.set("post_processor", byteLevel(om, false, false));
        root.set("decoder", byteLevel(om, true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        for (String[] pair : merges) {
            m.addArray().add(pair[0]).add(pair[1]);
        }
        return root.toPrettyString();
    }

    private static ObjectNode byteLevel(ObjectMapper om, boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode n = om.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }
}
