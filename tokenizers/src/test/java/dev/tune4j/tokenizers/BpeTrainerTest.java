package dev.tune4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-level BPE training: the saved file round-trips and the Rust reference reads it identically. */
class BpeTrainerTest {
    private static final ObjectMapper OM = new ObjectMapper();

    @Test
    void trainedTokenizerRoundTripsAndLoadsInTheReference(@TempDir Path dir) throws IOException {
        List<String> corpus = DifferentialTest.corpus();
        List<String> texts = new ArrayList<>();
        for (int r = 0; r < 3; r++) texts.addAll(corpus);
        Tokenizer tok = BpeTrainer.builder().vocabSize(700).minFrequency(2)
                .specialTokens(List.of("<|endoftext|>", "<pad>")).build().train(texts);
        assertEquals(700, tok.vocabSize());
        assertEquals(0, tok.tokenToId("<|endoftext|>"));
        assertEquals(1, tok.tokenToId("<pad>"));

        Path file = dir.resolve("tokenizer.json");
        tok.save(file);
        Tokenizer reloaded = Tokenizer.fromFile(file);
        String json = Files.readString(file, StandardCharsets.UTF_8);
        SplittableRandom r = new SplittableRandom(11);
        List<String> probes = new ArrayList<>(corpus);
        for (int i = 0; i < 300; i++) probes.add(DifferentialTest.generate(r, corpus, List.of("<|endoftext|>", "<pad>")));
        try (ReferenceTokenizer ref = new ReferenceTokenizer(json)) {
            for (String s : probes) {
                int[] ids = tok.encode(s, true).ids();
                assertArrayEquals(ids, reloaded.encode(s, true).ids(), s);
                assertArrayEquals(ref.encode(s, true).ids(), Arrays.stream(ids).asLongStream().toArray(), s);
                assertEquals(ref.decode(ids, false), tok.decode(ids, false), s);
                assertEquals(s.replaceAll("\\p{Cs}", "\uFFFD"), tok.decode(ids, false));
            }
        }
    }

    @Test
    void firstMergeIsTheMostFrequentPair() throws IOException {
        List<String> corpus = DifferentialTest.corpus();
        Tokenizer tok = BpeTrainer.builder().vocabSize(260).build().train(corpus);
        JsonNode merges = OM.readTree(tok.toJson()).get("model").get("merges");
        assertTrue(merges.size() >= 1);
        // Independent count: GPT-2 pre-tokenization with java.util.regex, bytes as GPT-2 characters.
        java.util.regex.Pattern re = java.util.regex.Pattern.compile(
                "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
                java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);
        Map<String, Integer> pairCounts = new HashMap<>();
        for (String text : corpus) {
            java.util.regex.Matcher m = re.matcher(text);
            while (m.find()) {
                byte[] b = m.group().getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i + 1 < b.length; i++) {
                    pairCounts.merge(gpt2Char(b[i] & 0xFF) + " " + gpt2Char(b[i + 1] & 0xFF), 1, Integer::sum);
                }
            }
        }
        int best = pairCounts.values().stream().max(Integer::compare).orElseThrow();
        String first = merges.get(0).get(0).asText() + " " + merges.get(0).get(1).asText();
        assertEquals(best, pairCounts.get(first), "first merge " + first);
    }

    /** GPT-2's byte-to-character table, written out independently of the library. */
    private static String gpt2Char(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            return String.valueOf((char) b);
        }
        int n = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) {
                n++;
            }
        }
        return String.valueOf((char) (256 + n));
    }
}
