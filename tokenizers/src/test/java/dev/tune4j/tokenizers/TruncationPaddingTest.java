package dev.tune4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pairs, truncation (with stride and overflowing windows) and batch padding against the Rust
 * reference configured the same way through its native setters.
 */
class TruncationPaddingTest {
    private static String describe(Encoding e) {
        StringBuilder sb = new StringBuilder();
        sb.append(Arrays.toString(e.ids())).append(Arrays.toString(e.typeIds())).append(Arrays.toString(e.attentionMask()))
                .append(Arrays.toString(e.specialTokensMask()));
        for (Encoding o : e.overflowing()) sb.append(" | ").append(describe(o));
        return sb.toString();
    }

    private static String describe(ReferenceTokenizer.Full e) {
        StringBuilder sb = new StringBuilder();
        sb.append(Arrays.toString(e.ids())).append(Arrays.toString(e.typeIds())).append(Arrays.toString(e.attentionMask()))
                .append(Arrays.toString(e.specialTokensMask()));
        for (ReferenceTokenizer.Full o : e.overflowing()) sb.append(" | ").append(describe(o));
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "bert_base_uncased", "t5_small", "llama3_2"})
    void truncationAndPaddingMatchTheReference(String family) throws IOException {
        String json = Files.readString(SharedData.require("tokenizers/" + family + "/tokenizer.json"), StandardCharsets.UTF_8);
        Tokenizer tok = Tokenizer.fromJson(json);
        List<String> corpus = DifferentialTest.corpus();
        SplittableRandom r = new SplittableRandom(99 + family.hashCode());
        List<String> failures = new ArrayList<>();
        String[] strategies = {"LONGEST_FIRST", "ONLY_FIRST", "ONLY_SECOND"};
        try (ReferenceTokenizer ref = new ReferenceTokenizer(json)) {
            for (int c = 0; c < 40; c++) {
                String a = DifferentialTest.generate(r, corpus, List.of());
                String b = r.nextBoolean() ? DifferentialTest.generate(r, corpus, List.of()) : null;
                boolean add = r.nextBoolean();
                String strategy = strategies[r.nextInt(b == null ? 2 : 3)];
                // Stay inside what the reference accepts: it aborts the process (a Rust panic) on
                // stride >= window and on a sequence too short for only_first/only_second.
                tok.setTruncation(null);
                int lenA = tok.encode(a, false).length();
                int lenB = b == null ? 0 : tok.encode(b, false).length();
                int nAdded = add ? tok.numSpecialTokensToAdd(b != null) : 0;
                int max = nAdded + 3 + r.nextInt(60);
                int eff = max - nAdded;
                int toRemove = lenA + lenB - eff;
                int stride = 0;
                if (b == null) {
                    stride = r.nextInt(Math.min(3, eff));
                } else if (!strategy.equals("LONGEST_FIRST") && toRemove > 0) {
                    int target = strategy.equals("ONLY_FIRST") ? lenA : lenB;
                    if (target <= toRemove) {
                        continue;
                    }
                    stride = r.nextInt(Math.min(3, target - toRemove));
                }
                ref.setTruncation(max, strategy, stride);
                tok.setTruncation(new TruncationParams(max, stride, TruncationParams.Strategy.valueOf(strategy),
                        TruncationParams.Direction.RIGHT));
                String want;
                try {
                    want = describe(ref.encodePair(a, b, add));
                } catch (RuntimeException e) {
                    want = "error";
                }
                String got;
                try {
                    got = describe(tok.encode(a, b, add));
                } catch (TokenizerException e) {
                    got = "error";
                }
                if (!want.equals(got)) {
                    failures.add("case " + c + " max=" + max + " stride=" + stride + " " + strategy + " add=" + add
                            + " pair=" + (b != null) + ":\n  got  " + got + "\n  want " + want);
                }
            }
            // Batch padding to the longest, rounded to a multiple of 8, with truncation at 64.
            String padToken = tok.idToToken(0);
            ref.setTruncation(64, "LONGEST_FIRST", 0);
            ref.setPadding(-1, "LONGEST", padToken, 0, 8);
            tok.setTruncation(TruncationParams.of(64));
            PaddingParams pad = new PaddingParams(null, PaddingParams.Direction.RIGHT, 8, 0, 0, padToken);
            String[] as = new String[12];
            String[] bs = new String[12];
            for (int i = 0; i < as.length; i++) {
                as[i] = DifferentialTest.generate(r, corpus, List.of());
                bs[i] = DifferentialTest.generate(r, corpus, List.of());
            }
            List<ReferenceTokenizer.Full> want = ref.encodePairBatch(as, bs, true);
            List<Encoding> got = tok.encodePairBatch(Arrays.asList(as), Arrays.asList(bs), true, pad, tok.truncation());
            for (int i = 0; i < as.length; i++) {
                assertEquals(describe(want.get(i)), describe(got.get(i)), "batch item " + i);
            }
            assertEquals(0, got.get(0).length() % 8);
        }
        assertTrue(failures.isEmpty(), family + ":\n" + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
    }
}
