package dev.tune4j.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer read from a Hugging Face {@code tokenizer.json}, giving the same ids, tokens, offsets
 * and decoded text as the reference Rust implementation ({@code tokenizers} 0.21).
 *
 * <pre>{@code
 * // Python: tok = tokenizers.Tokenizer.from_file("tokenizer.json"); tok.encode("Hello").ids
 * Tokenizer tok = Tokenizer.fromFile(Path.of("tokenizer.json"));
 * int[] ids = tok.encode("Hello", true).ids();
 * String text = tok.decode(ids, true);
 * }</pre>
 *
 * <p>Instances are safe for concurrent encoding and decoding; {@link #addTokens}, {@link
 * #setTruncation} and {@link #setPadding} must not race with them. Java strings holding lone
 * surrogates are treated as if each were U+FFFD (Rust strings cannot hold them).
 */
public final class Tokenizer {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final ObjectNode json;
    private final String source;
    final Normalizer normalizer;
    final PreTokenizer preTokenizer;
    final Model model;
    final PostProcessor postProcessor;
    final Decoder decoder;
    final AddedVocabulary added = new AddedVocabulary();
    private volatile TruncationParams truncation;
    private volatile PaddingParams padding;

    private Tokenizer(ObjectNode json, String source) {
        this.json = json;
        this.source = source;
        ComponentParser p = new ComponentParser(source);
        normalizer = p.normalizer(json.get("normalizer"), "$.normalizer");
        preTokenizer = p.preTokenizer(json.get("pre_tokenizer"), "$.pre_tokenizer");
        model = p.model(json.get("model"), "$.model");
        postProcessor = p.postProcessor(json.get("post_processor"), "$.post_processor");
        decoder = p.decoder(json.get("decoder"), "$.decoder");
        JsonNode at = json.get("added_tokens");
        List<AddedToken> tokens = new ArrayList<>();
        if (at != null && !at.isNull()) {
            if (!at.isArray()) {
                throw p.error("$.added_tokens", "expected an array, found " + at.getNodeType());
            }
            for (int i = 0; i < at.size(); i++) {
                JsonNode t = at.get(i);
                String path = "$.added_tokens[" + i + "]";
                String content = p.str(t, "content", path, null);
                boolean special = p.bool(t, "special", path, false);
                tokens.add(new AddedToken(content, p.bool(t, "single_word", path, false), p.bool(t, "lstrip", path, false),
                        p.bool(t, "rstrip", path, false), p.bool(t, "normalized", path, !special), special));
            }
        }
        // As the reference deserializer: the ids in the file are re-derived by add_tokens.
        added.add(tokens, model, normalizer);
        truncation = parseTruncation(json.get("truncation"), p);
        padding = parsePadding(json.get("padding"), p);
    }

    /** Python {@code Tokenizer.from_file(path)}. */
    public static Tokenizer fromFile(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(path + ": file not found");
        } catch (IOException e) {
            throw new TokenizerException(path + ": cannot read: " + e.getMessage(), e);
        }
        return fromJson(text, path.toString());
    }

    /** Python {@code Tokenizer.from_str(json)}. */
    public static Tokenizer fromJson(String json) {
        return fromJson(json, "tokenizer.json");
    }

    static Tokenizer fromJson(String text, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            throw new TokenizerException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerException(source + ": $: expected a JSON object");
        }
        return new Tokenizer((ObjectNode) root, source);
    }

    static Tokenizer fromTree(ObjectNode root, String source) {
        return new Tokenizer(root.deepCopy(), source);
    }

    private static TruncationParams parseTruncation(JsonNode n, ComponentParser p) {
        if (n == null || n.isNull()) {
            return null;
        }
        String strategy = p.str(n, "strategy", "$.truncation", "LongestFirst");
        TruncationParams.Strategy s = switch (strategy) {
            case "LongestFirst" -> TruncationParams.Strategy.LONGEST_FIRST;
            case "OnlyFirst" -> TruncationParams.Strategy.ONLY_FIRST;
            case "OnlySecond" -> TruncationParams.Strategy.ONLY_SECOND;
            default -> throw p.error("$.truncation.strategy", "expected LongestFirst, OnlyFirst or OnlySecond, found \""
                    + strategy + "\"");
        };
        String dir = p.str(n, "direction", "$.truncation", "Right");
        return new TruncationParams(p.integer(n, "max_length", "$.truncation", 512), p.integer(n, "stride", "$.truncation", 0),
                s, "Left".equals(dir) ? TruncationParams.Direction.LEFT : TruncationParams.Direction.RIGHT);
    }

    private static PaddingParams parsePadding(JsonNode n, ComponentParser p) {
        if (n == null || n.isNull()) {
            return null;
        }
        JsonNode st = n.get("strategy");
        Integer len = null;
        if (st != null && st.isObject() && st.has("Fixed")) {
            len = st.get("Fixed").asInt();
        }
        JsonNode m = n.get("pad_to_multiple_of");
        return new PaddingParams(len, "Left".equals(p.str(n, "direction", "$.padding", "Right"))
                ? PaddingParams.Direction.LEFT : PaddingParams.Direction.RIGHT,
                m == null || m.isNull() ? null : m.asInt(), p.integer(n, "pad_id", "$.padding", 0),
                p.integer(n, "pad_type_id", "$.padding", 0), p.str(n, "pad_token", "$.padding", "[PAD]"));
    }

    // ---------------------------------------------------------------- encoding

    /** Python {@code encode(text, add_special_tokens=...)}. */
    public Encoding encode(String text, boolean addSpecialTokens) {
        return encode(text, null, addSpecialTokens, truncation, padding);
    }

    /** Python {@code encode(text, pair, add_special_tokens=...)}. */
    public Encoding encode(String text, String pair, boolean addSpecialTokens) {
        return encode(text, pair, addSpecialTokens, truncation, padding);
    }

    Encoding encode(String text, String pair, boolean addSpecialTokens, TruncationParams trunc, PaddingParams pad) {
        if (text == null) {
            throw new IllegalArgumentException("encode: text is null");
        }
        Encoding a = encodeSequence(text, 0);
        Encoding b = pair == null ? null : encodeSequence(pair, 1);
        return postProcess(a, b, addSpecialTokens, trunc, pad);
    }

    /** Python {@code encode_batch(texts, add_special_tokens=...)}, padded as configured (encoded in parallel). */
    public List<Encoding> encodeBatch(List<String> texts, boolean addSpecialTokens) {
        return encodeBatch(texts, addSpecialTokens, padding, truncation);
    }

    /**
     * Encodes a batch with explicit padding and truncation for this call (either may be null to
     * disable it), as transformers' {@code tokenizer(texts, padding=..., truncation=..., max_length=...)}.
     */
    public List<Encoding> encodeBatch(List<String> texts, boolean addSpecialTokens, PaddingParams pad,
                                      TruncationParams trunc) {
        // Encoded in parallel like the reference's encode_batch; the order of results is the input order.
        List<Encoding> out = new ArrayList<>(texts.size() < 2 ? texts.stream()
                .map(t -> encode(t, null, addSpecialTokens, trunc, pad)).toList()
                : texts.parallelStream().map(t -> encode(t, null, addSpecialTokens, trunc, pad)).toList());
        if (pad != null) {
            padAll(out, pad);
        }
        return out;
    }

    /** Encodes a batch of (text, pair) with explicit padding and truncation (either may be null). */
    public List<Encoding> encodePairBatch(List<String> texts, List<String> pairs, boolean addSpecialTokens,
                                          PaddingParams pad, TruncationParams trunc) {
        if (texts.size() != pairs.size()) {
            throw new IllegalArgumentException("encodePairBatch: " + texts.size() + " texts but " + pairs.size() + " pairs");
        }
        List<Encoding> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) out.add(encode(texts.get(i), pairs.get(i), addSpecialTokens, trunc, pad));
        if (pad != null) {
            padAll(out, pad);
        }
        return out;
    }

    static void padAll(List<Encoding> encs, PaddingParams pad) {
        if (encs.isEmpty()) {
            return;
        }
        int len;
        if (pad.length() != null) {
            len = pad.length();
        } else {
            len = 0;
            for (Encoding e : encs) len = Math.max(len, e.ids.length);
        }
        Integer m = pad.padToMultipleOf();
        if (m != null && m > 0 && len % m > 0) {
            len += m - len % m;
        }
        for (Encoding e : encs) {
            e.pad(len, pad.padId(), pad.padTypeId(), pad.padToken(), pad.direction() == PaddingParams.Direction.LEFT);
        }
    }

    /** Normalizes, pre-tokenizes and runs the model over one sequence. */
    Encoding encodeSequence(String rawText, int typeId) {
        String text = Chars.sanitize(rawText);
        PreTokenizedString pts = added.extractAndNormalize(normalizer, text);
        if (preTokenizer != null) {
            preTokenizer.preTokenize(pts);
        }
        // Per piece: a List<Token> (added tokens, non-BPE models) or BPE's packed (id, start, end) triples.
        BpeModel bpe = model instanceof BpeModel b ? b : null;
        int total = 0;
        int pieces = pts.pieces.size();
        Object[] all = new Object[pieces];
        for (int i = 0; i < pieces; i++) {
            List<Token> t = pts.tokens.get(i);
            if (t != null) {
                all[i] = t;
                total += t.size();
            } else if (bpe != null) {
                int[] packed = bpe.tokenizePacked(pts.pieces.get(i).normalized);
                all[i] = packed;
                total += packed.length / 3;
            } else {
                t = model.tokenize(pts.pieces.get(i).normalized);
                all[i] = t;
                total += t.size();
            }
        }
        Encoding e = new Encoding(total);
        OffsetConverter conv = new OffsetConverter(text);
        int k = 0;
        for (int i = 0; i < pieces; i++) {
            NormalizedString ns = pts.pieces.get(i);
            if (all[i] instanceof int[] packed) {
                for (int q = 0; q < packed.length; q += 3) {
                    e.ids[k] = packed[q];
                    e.tokens[k] = bpe.vocabR[packed[q]];
                    place(ns, packed[q + 1], packed[q + 2], conv, e, k);
                    e.words[k] = i;
                    e.typeIds[k] = typeId;
                    k++;
                }
                continue;
            }
            @SuppressWarnings("unchecked")
            List<Token> toks = (List<Token>) all[i];
            for (Token t : toks) {
                e.ids[k] = t.id();
                e.tokens[k] = t.value();
                place(ns, t.start(), t.end(), conv, e, k);
                e.words[k] = i;
                e.typeIds[k] = typeId;
                k++;
            }
        }
        return e;
    }

    /** Maps a token span of a piece to the original text and stores it as code-point offsets. */
    private static void place(NormalizedString ns, int ts, int te, OffsetConverter conv, Encoding e, int k) {
        int s;
        int en;
        if (ts < te && te <= ns.alignStart.length) {
            s = ns.originalShift + ns.alignStart[ts];
            en = ns.originalShift + ns.alignEnd[te - 1];
        } else {
            // Empty or out-of-range spans: the reference returns the normalized span itself.
            int[] r = ns.normalizedToOriginal(ts, te);
            s = r == null ? ts : ns.originalShift + r[0];
            en = r == null ? te : ns.originalShift + r[1];
        }
        conv.convert(s, en, e.offsets, 2 * k);
    }

    /** Converts UTF-16 offsets to code-point offsets, as the reference's byte-to-char converter. */
    static final class OffsetConverter {
        private final String text;
        private final int[] cpIndex;

        OffsetConverter(String text) {
            this.text = text;
            boolean surrogates = false;
            for (int i = 0; i < text.length(); i++) {
                if (Character.isSurrogate(text.charAt(i))) {
                    surrogates = true;
                    break;
                }
            }
            if (surrogates) {
                cpIndex = new int[text.length()];
                int cp = 0;
                for (int i = 0; i < text.length(); ) {
                    int l = Character.charCount(text.codePointAt(i));
                    for (int u = 0; u < l; u++) cpIndex[i + u] = cp;
                    cp++;
                    i += l;
                }
            } else {
                cpIndex = null;
            }
        }

        /** Writes the converted (start, end) at {@code out[at]}, {@code out[at + 1]}. */
        void convert(int s, int e, int[] out, int at) {
            int n = text.length();
            if (s < 0 || s >= n) {
                if (s == n && e == n) {
                    // Not in the reference's map: it keeps byte offsets here.
                    int b = Chars.utf8Len(text);
                    out[at] = b;
                    out[at + 1] = b;
                } else {
                    out[at] = s;
                    out[at + 1] = e;
                }
                return;
            }
            int cs = cpIndex == null ? s : cpIndex[s];
            out[at] = cs;
            if (e < n && e >= 0) {
                out[at + 1] = cpIndex == null ? e : cpIndex[e];
                return;
            }
            int last = e - 1 >= 0 && e - 1 < n ? (cpIndex == null ? e - 1 : cpIndex[e - 1]) : cs;
            out[at + 1] = last + 1;
        }
    }

    Encoding postProcess(Encoding a, Encoding b, boolean addSpecialTokens, TruncationParams trunc, PaddingParams pad) {
        if (trunc != null) {
            int nAdded = postProcessor == null ? 0 : postProcessor.addedTokens(b != null);
            TruncationParams t = trunc;
            if (addSpecialTokens && nAdded > 0) {
                t = new TruncationParams(Math.max(0, trunc.maxLength() - nAdded), trunc.stride(), trunc.strategy(),
                        trunc.direction());
            }
            truncate(a, b, t);
        }
        Encoding result;
        if (postProcessor != null) {
            List<Encoding> list = new ArrayList<>(2);
            list.add(a);
            if (b != null) {
                list.add(b);
            }
            for (int i = 0; i < list.size(); i++) {
                Encoding e = list.get(i);
                e.setSequenceId(i);
                for (Encoding o : e.overflowing) o.setSequenceId(i);
                e.setTypeIds(i);
            }
            result = Encoding.merge(new ArrayList<>(postProcessor.processEncodings(list, addSpecialTokens)));
        } else if (b == null) {
            result = a;
        } else {
            a.setSequenceId(0);
            b.setSequenceId(1);
            Encoding m = new Encoding(0);
            m.mergeWith(a);
            m.mergeWith(b);
            result = m;
        }
        if (pad != null) {
            padAll(List.of(result), pad);
        }
        return result;
    }

    private static void truncate(Encoding a, Encoding b, TruncationParams p) {
        boolean left = p.direction() == TruncationParams.Direction.LEFT;
        if (p.maxLength() == 0) {
            a.truncate(0, p.stride(), left);
            if (b != null) {
                b.truncate(0, p.stride(), left);
            }
            return;
        }
        int total = a.ids.length + (b == null ? 0 : b.ids.length);
        if (total <= p.maxLength()) {
            return;
        }
        int toRemove = total - p.maxLength();
        switch (p.strategy()) {
            case LONGEST_FIRST -> {
                if (b != null) {
                    int n1 = a.ids.length;
                    int n2 = b.ids.length;
                    boolean swap = false;
                    if (n1 > n2) {
                        swap = true;
                        int x = n1;
                        n1 = n2;
                        n2 = x;
                    }
                    if (n1 > p.maxLength()) {
                        n2 = n1;
                    } else {
                        n2 = Math.max(n1, p.maxLength() - n1);
                    }
                    if (n1 + n2 > p.maxLength()) {
                        n1 = p.maxLength() / 2;
                        n2 = n1 + p.maxLength() % 2;
                    }
                    if (swap) {
                        int x = n1;
                        n1 = n2;
                        n2 = x;
                    }
                    a.truncate(n1, p.stride(), left);
                    b.truncate(n2, p.stride(), left);
                } else {
                    a.truncate(total - toRemove, p.stride(), left);
                }
            }
            case ONLY_FIRST, ONLY_SECOND -> {
                Encoding target = p.strategy() == TruncationParams.Strategy.ONLY_FIRST ? a : b;
                if (target == null) {
                    throw new TokenizerException("truncation only_second: the second sequence was not provided");
                }
                int len = target.ids.length;
                if (len > toRemove) {
                    target.truncate(len - toRemove, p.stride(), left);
                } else {
                    throw new TokenizerException("truncation: the sequence to truncate has " + len
                            + " tokens, too short to remove " + toRemove);
                }
            }
        }
    }

    // ---------------------------------------------------------------- decoding

    /** Python {@code decode(ids, skip_special_tokens=...)}. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String t = idToToken(id);
            if (t == null) {
                continue;
            }
            if (skipSpecialTokens && added.isSpecial(t)) {
                continue;
            }
            tokens.add(t);
        }
        if (decoder == null) {
            return String.join(" ", tokens);
        }
        return String.join("", decoder.decodeChain(tokens));
    }

    /** Python {@code decode_batch(sequences, skip_special_tokens=...)}. */
    public List<String> batchDecode(List<int[]> sequences, boolean skipSpecialTokens) {
        List<String> out = new ArrayList<>(sequences.size());
        for (int[] s : sequences) out.add(decode(s, skipSpecialTokens));
        return out;
    }

    // ---------------------------------------------------------------- vocabulary

    /** Python {@code token_to_id(token)}: the id, or null when the token is unknown. */
    public Integer tokenToId(String token) {
        Integer id = added.tokenToId.get(token);
        if (id != null) {
            return id;
        }
        int m = model.tokenToId(token);
        return m < 0 ? null : m;
    }

    /** Python {@code id_to_token(id)}: the token string, or null when the id is unknown. */
    public String idToToken(int id) {
        AddedToken t = added.idToToken.get(id);
        return t != null ? t.content() : model.idToToken(id);
    }

    /** Python {@code get_vocab_size(with_added_tokens=True)}. */
    public int vocabSize() {
        return vocabSize(true);
    }

    /** Python {@code get_vocab_size(with_added_tokens)}. */
    public int vocabSize(boolean withAddedTokens) {
        return withAddedTokens ? getVocab(true).size() : model.vocabSize();
    }

    /** Python {@code get_vocab(with_added_tokens)}: token to id. */
    public Map<String, Integer> getVocab(boolean withAddedTokens) {
        Map<String, Integer> v = new HashMap<>(model.vocab());
        if (withAddedTokens) {
            v.putAll(added.tokenToId);
        }
        return v;
    }

    /** Added tokens by id (Python {@code get_added_tokens_decoder()}). */
    public Map<Integer, AddedToken> addedTokensDecoder() {
        return added.sortedById();
    }

    /** Python {@code add_tokens([...])}: returns how many were added. */
    public int addTokens(List<AddedToken> tokens) {
        return added.add(tokens, model, normalizer);
    }

    /** Python {@code add_tokens(["a", "b"])}: plain (non-special, normalized) tokens. */
    public int addTokens(String... tokens) {
        List<AddedToken> l = new ArrayList<>();
        for (String t : tokens) l.add(AddedToken.of(t, false));
        return addTokens(l);
    }

    /** Python {@code add_special_tokens([...])}: special tokens, matched on the raw text. */
    public int addSpecialTokens(String... tokens) {
        List<AddedToken> l = new ArrayList<>();
        for (String t : tokens) l.add(AddedToken.of(t, true));
        return addTokens(l);
    }

    /** Whether {@code token} is a special added token. */
    public boolean isSpecialToken(String token) {
        return added.isSpecial(token);
    }

    /** Python {@code num_special_tokens_to_add(is_pair)}. */
    public int numSpecialTokensToAdd(boolean isPair) {
        return postProcessor == null ? 0 : postProcessor.addedTokens(isPair);
    }

    // ---------------------------------------------------------------- settings

    /** Current truncation, or null (Python {@code tokenizer.truncation}). */
    public TruncationParams truncation() {
        return truncation;
    }

    /** Python {@code enable_truncation(...)}; null disables it ({@code no_truncation()}). */
    public void setTruncation(TruncationParams params) {
        truncation = params;
    }

    /** Current padding, or null (Python {@code tokenizer.padding}). */
    public PaddingParams padding() {
        return padding;
    }

    /** Python {@code enable_padding(...)}; null disables it ({@code no_padding()}). */
    public void setPadding(PaddingParams params) {
        padding = params;
    }

    // ---------------------------------------------------------------- saving

    /** The tokenizer.json text (Python {@code to_str()}), pretty-printed as the reference does. */
    public String toJson() {
        ObjectNode root = json.deepCopy();
        JsonNodeFactory f = JsonNodeFactory.instance;
        ArrayNode at = f.arrayNode();
        for (Map.Entry<Integer, AddedToken> e : added.sortedById().entrySet()) {
            ObjectNode o = f.objectNode();
            AddedToken t = e.getValue();
            o.put("id", e.getKey());
            o.put("content", t.content());
            o.put("single_word", t.singleWord());
            o.put("lstrip", t.lstrip());
            o.put("rstrip", t.rstrip());
            o.put("normalized", t.normalized());
            o.put("special", t.special());
            at.add(o);
        }
        root.set("added_tokens", at);
        TruncationParams tr = truncation;
        if (tr == null) {
            root.putNull("truncation");
        } else {
            ObjectNode o = f.objectNode();
            o.put("direction", tr.direction() == TruncationParams.Direction.LEFT ? "Left" : "Right");
            o.put("max_length", tr.maxLength());
            o.put("strategy", switch (tr.strategy()) {
                case LONGEST_FIRST -> "LongestFirst";
                case ONLY_FIRST -> "OnlyFirst";
                case ONLY_SECOND -> "OnlySecond";
            });
            o.put("stride", tr.stride());
            root.set("truncation", o);
        }
        PaddingParams pp = padding;
        if (pp == null) {
            root.putNull("padding");
        } else {
            ObjectNode o = f.objectNode();
            if (pp.length() == null) {
                o.put("strategy", "BatchLongest");
            } else {
                o.set("strategy", f.objectNode().put("Fixed", pp.length()));
            }
            o.put("direction", pp.direction() == PaddingParams.Direction.LEFT ? "Left" : "Right");
            if (pp.padToMultipleOf() == null) {
                o.putNull("pad_to_multiple_of");
            } else {
                o.put("pad_to_multiple_of", pp.padToMultipleOf());
            }
            o.put("pad_id", pp.padId());
            o.put("pad_type_id", pp.padTypeId());
            o.put("pad_token", pp.padToken());
            root.set("padding", o);
        }
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new TokenizerException("cannot serialize tokenizer: " + e.getMessage(), e);
        }
    }

    /** Python {@code save(path)}: writes tokenizer.json atomically (temp file in the same folder, then rename). */
    public void save(Path path) {
        AtomicFiles.writeString(path, toJson());
    }

    /** The tree this tokenizer was built from (copy), for callers that rewrite components. */
    ObjectNode jsonTree() {
        return json.deepCopy();
    }

    String source() {
        return source;
    }
}
