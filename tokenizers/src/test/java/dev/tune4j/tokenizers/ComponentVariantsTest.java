package dev.tune4j.tokenizers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Components that none of the ten real files uses (or uses only one way), each swapped into a real
 * tokenizer.json and compared with the Rust reference built from the same modified JSON.
 *
 * <p>Random characters here come from long-assigned blocks only: the reference's normalization
 * tables predate recent Unicode versions, so compatibility decompositions and combining marks
 * added since (e.g. U+1E041, U+08CD) are handled differently by the JDK and by the reference.
 */
class ComponentVariantsTest {
    private static final ObjectMapper OM = new ObjectMapper();

    private static ObjectNode obj(String json) {
        try {
            return (ObjectNode) OM.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static ObjectNode base(String family) throws IOException {
        return (ObjectNode) OM.readTree(SharedData.require("tokenizers/" + family + "/tokenizer.json").toFile());
    }

    /** The modified tokenizer.json of a variant. */
    static ObjectNode variant(String name) throws IOException {
        ObjectNode t;
        switch (name) {
            case "metaspace_first_nosplit" -> {
                t = base("llama2");
                t.putNull("normalizer");
                t.set("pre_tokenizer", obj("{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"first\",\"split\":false}"));
                t.set("decoder", obj("{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"first\",\"split\":false},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}]}"));
            }
            case "metaspace_always_split" -> {
                t = base("mistral_v0_1");
                t.putNull("normalizer");
                t.set("pre_tokenizer", obj("{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"always\",\"split\":true}"));
                t.set("decoder", obj("{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"always\",\"split\":true}"));
            }
            case "bert_nfd_strip_whitespace_digits" -> {
                t = base("bert_base_uncased");
                t.set("normalizer", obj("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFD\"},{\"type\":\"StripAccents\"},{\"type\":\"Lowercase\"},{\"type\":\"Strip\",\"strip_left\":true,\"strip_right\":true}]}"));
                t.set("pre_tokenizer", obj("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Whitespace\"},{\"type\":\"Digits\",\"individual_digits\":true}]}"));
                t.set("post_processor", obj("{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",102],\"cls\":[\"[CLS]\",101]}"));
                t.set("decoder", obj("{\"type\":\"CTC\",\"pad_token\":\"[PAD]\",\"word_delimiter_token\":\"|\",\"cleanup\":true}"));
            }
            case "bert_nfkc_punct_merged" -> {
                t = base("bert_base_uncased");
                t.set("normalizer", obj("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFKC\"},{\"type\":\"Lowercase\"}]}"));
                t.set("pre_tokenizer", obj("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},{\"type\":\"Punctuation\",\"behavior\":\"MergedWithPrevious\"}]}"));
            }
            case "wordlevel" -> {
                t = base("bert_base_uncased");
                ObjectNode m = (ObjectNode) t.get("model");
                ObjectNode wl = OM.createObjectNode().put("type", "WordLevel");
                wl.set("vocab", m.get("vocab"));
                wl.put("unk_token", "[UNK]");
                t.set("model", wl);
                t.set("pre_tokenizer", obj("{\"type\":\"Whitespace\"}"));
                t.putNull("decoder");
            }
            case "roberta_prefix_space" -> {
                t = base("gpt2");
                t.set("pre_tokenizer", obj("{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}"));
                t.set("post_processor", obj("{\"type\":\"RobertaProcessing\",\"sep\":[\"<|endoftext|>\",50256],\"cls\":[\"<|endoftext|>\",50256],\"trim_offsets\":true,\"add_prefix_space\":true}"));
            }
            case "split_invert_merged_next" -> {
                t = base("gpt2");
                t.set("pre_tokenizer", obj("{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\d+|[a-z]+\"},\"behavior\":\"MergedWithNext\",\"invert\":true},{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}]}"));
                t.set("post_processor", obj("{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}"));
            }
            case "t5_replace_nfkd" -> {
                t = base("t5_small");
                t.set("normalizer", obj("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" {2,}\"},\"content\":\" \"},{\"type\":\"NFKD\"},{\"type\":\"Lowercase\"},{\"type\":\"Prepend\",\"prepend\":\"\u2581\"}]}"));
                t.set("decoder", obj("{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"add_prefix_space\":true},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}"));
            }
            case "added_token_options" -> {
                t = base("llama2");
                ArrayNode at = (ArrayNode) t.get("added_tokens");
                at.add(obj("{\"id\":40000,\"content\":\"<mask>\",\"single_word\":false,\"lstrip\":true,\"rstrip\":true,\"normalized\":false,\"special\":true}"));
                at.add(obj("{\"id\":40001,\"content\":\"hello\",\"single_word\":true,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,\"special\":false}"));
                at.add(obj("{\"id\":40002,\"content\":\" world\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,\"special\":false}"));
            }
            default -> throw new IllegalArgumentException(name);
        }
        return t;
    }

    /** Drops characters outside blocks that were complete long before the reference's tables. */
    static String oldUnicode(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().filter(c -> c < 0x0800 || (c >= 0x0900 && c < 0x1000) || (c >= 0x2000 && c < 0x2E00)
                || (c >= 0x3000 && c < 0xA000) || (c >= 0xAC00 && c < 0xD7A4) || (c >= 0xF900 && c < 0xFFF0)
                || (c >= 0x1F300 && c < 0x1F650)).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"metaspace_first_nosplit", "metaspace_always_split", "bert_nfd_strip_whitespace_digits",
            "bert_nfkc_punct_merged", "wordlevel", "roberta_prefix_space", "split_invert_merged_next",
            "t5_replace_nfkd", "added_token_options"})
    void variantMatchesTheReference(String name) throws IOException {
        String json = OM.writeValueAsString(variant(name));
        Tokenizer tok = Tokenizer.fromJson(json);
        List<String> corpus = DifferentialTest.corpus();
        List<String> specials = List.of("<mask>", "hello", " world", "[CLS]", "<s>", "<|endoftext|>", "</s>");
        SplittableRandom r = new SplittableRandom(name.hashCode());
        List<String> failures = new ArrayList<>();
        try (ReferenceTokenizer ref = new ReferenceTokenizer(json)) {
            for (int c = 0; c < 250 && failures.size() < 5; c++) {
                String text = c < corpus.size() ? corpus.get(c) : oldUnicode(DifferentialTest.generate(r, corpus, specials));
                boolean add = c % 2 == 0;
                ReferenceTokenizer.Result want = ref.encode(text, add);
                Encoding got = tok.encode(text, add);
                String what = null;
                if (!Arrays.equals(want.ids(), Arrays.stream(got.ids()).asLongStream().toArray())) {
                    what = "ids " + Arrays.toString(got.ids()) + " expected " + Arrays.toString(want.ids());
                } else if (!Arrays.equals(want.tokens(), got.tokens())) {
                    what = "tokens " + Arrays.toString(got.tokens()) + " expected " + Arrays.toString(want.tokens());
                } else if (!Arrays.deepEquals(want.offsets(), got.offsets())) {
                    what = "offsets " + Arrays.deepToString(got.offsets()) + " expected "
                            + Arrays.deepToString(want.offsets());
                } else {
                    for (boolean skip : new boolean[] {false, true}) {
                        String w = ref.decode(got.ids(), skip);
                        String g = tok.decode(got.ids(), skip);
                        if (!w.equals(g)) {
                            what = "decode(skip=" + skip + ") " + OM.writeValueAsString(g) + " expected "
                                    + OM.writeValueAsString(w);
                        }
                    }
                }
                if (what != null) {
                    failures.add("case " + c + " " + OM.writeValueAsString(text) + " add=" + add + ": " + what);
                }
            }
        }
        assertTrue(failures.isEmpty(), name + ":\n" + String.join("\n", failures));
    }

}
