package dev.tune4j.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds pipeline components from the JSON objects of a tokenizer.json, with the reference's
 * defaults. Errors name the source, the JSON path, what was expected and what was found.
 */
final class ComponentParser {
    private final String source;

    ComponentParser(String source) {
        this.source = source;
    }

    TokenizerException error(String path, String msg) {
        return new TokenizerException(source + ": " + path + ": " + msg);
    }

    private String type(JsonNode n, String path) {
        if (!n.isObject()) {
            throw error(path, "expected an object, found " + n.getNodeType());
        }
        JsonNode t = n.get("type");
        if (t == null || !t.isTextual()) {
            throw error(path + ".type", "missing component type");
        }
        return t.asText();
    }

    String str(JsonNode n, String field, String path, String def) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (def == null) {
                throw error(path + "." + field, "missing required string");
            }
            return def;
        }
        if (!v.isTextual()) {
            throw error(path + "." + field, "expected a string, found " + v.getNodeType());
        }
        return v.asText();
    }

    String optStr(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    boolean bool(JsonNode n, String field, String path, boolean def) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isBoolean()) {
            throw error(path + "." + field, "expected a boolean, found " + v.getNodeType());
        }
        return v.asBoolean();
    }

    int integer(JsonNode n, String field, String path, int def) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.canConvertToInt()) {
            throw error(path + "." + field, "expected an integer, found " + v);
        }
        return v.asInt();
    }

    int singleChar(JsonNode n, String field, String path, int def) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return def;
        }
        String s = v.asText();
        if (s.codePointCount(0, s.length()) != 1) {
            throw error(path + "." + field, "expected a single character, found \"" + s + "\"");
        }
        return s.codePointAt(0);
    }

    Pattern pattern(JsonNode n, String path) {
        if (n == null || !n.isObject()) {
            throw error(path, "expected {\"String\": ...} or {\"Regex\": ...}");
        }
        if (n.has("String")) {
            return Pattern.literal(n.get("String").asText());
        }
        if (n.has("Regex")) {
            return Pattern.regex(Regexes.compile(n.get("Regex").asText(), source + ": " + path + ".Regex"));
        }
        throw error(path, "expected {\"String\": ...} or {\"Regex\": ...}, found " + n);
    }

    Normalizer normalizer(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return null;
        }
        String t = type(n, path);
        return switch (t) {
            case "NFC" -> new Normalizers.Unicode(java.text.Normalizer.Form.NFC);
            case "NFD" -> new Normalizers.Unicode(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new Normalizers.Unicode(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new Normalizers.Unicode(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> new Normalizers.Lowercase();
            case "Strip" -> new Normalizers.Strip(bool(n, "strip_left", path, true), bool(n, "strip_right", path, true));
            case "StripAccents" -> new Normalizers.StripAccents();
            case "Replace" -> new Normalizers.Replace(pattern(n.get("pattern"), path + ".pattern"),
                    str(n, "content", path, null));
            case "Prepend" -> new Normalizers.Prepend(str(n, "prepend", path, null));
            case "Precompiled" -> {
                JsonNode cm = n.get("precompiled_charsmap");
                if (cm == null || cm.isNull()) {
                    yield ns -> { };
                }
                byte[] blob;
                try {
                    blob = Base64.getDecoder().decode(cm.asText());
                } catch (IllegalArgumentException e) {
                    throw error(path + ".precompiled_charsmap", "invalid base64: " + e.getMessage());
                }
                yield new Precompiled(blob, source + ": " + path + ".precompiled_charsmap");
            }
            case "BertNormalizer" -> {
                boolean lower = bool(n, "lowercase", path, true);
                JsonNode sa = n.get("strip_accents");
                boolean strip = sa == null || sa.isNull() ? lower : sa.asBoolean();
                yield new Normalizers.Bert(bool(n, "clean_text", path, true),
                        bool(n, "handle_chinese_chars", path, true), strip, lower);
            }
            case "Sequence" -> {
                List<Normalizer> list = new ArrayList<>();
                JsonNode arr = n.get("normalizers");
                if (arr == null || !arr.isArray()) {
                    throw error(path + ".normalizers", "expected an array");
                }
                for (int i = 0; i < arr.size(); i++) list.add(normalizer(arr.get(i), path + ".normalizers[" + i + "]"));
                yield new Normalizers.Sequence(list);
            }
            default -> throw error(path + ".type", "unknown normalizer type \"" + t + "\" (expected one of NFC, NFD, "
                    + "NFKC, NFKD, Lowercase, Strip, StripAccents, Replace, Prepend, Precompiled, BertNormalizer, "
                    + "Sequence)");
        };
    }

    PreTokenizers.PrependScheme prependScheme(JsonNode n, String path) {
        String ps = str(n, "prepend_scheme", path, "always");
        PreTokenizers.PrependScheme scheme = switch (ps) {
            case "always" -> PreTokenizers.PrependScheme.ALWAYS;
            case "first" -> PreTokenizers.PrependScheme.FIRST;
            case "never" -> PreTokenizers.PrependScheme.NEVER;
            default -> throw error(path + ".prepend_scheme", "expected always, first or never, found \"" + ps + "\"");
        };
        JsonNode aps = n.get("add_prefix_space");
        if (aps != null && !aps.isNull() && !aps.asBoolean()) {
            if (scheme != PreTokenizers.PrependScheme.NEVER && n.has("prepend_scheme")) {
                throw error(path, "add_prefix_space does not match declared prepend_scheme");
            }
            scheme = PreTokenizers.PrependScheme.NEVER;
        }
        return scheme;
    }

    PreTokenizer preTokenizer(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return null;
        }
        String t = type(n, path);
        return switch (t) {
            case "ByteLevel" -> new PreTokenizers.ByteLevel(bool(n, "add_prefix_space", path, true),
                    bool(n, "trim_offsets", path, true), bool(n, "use_regex", path, true));
            case "Split" -> {
                Pattern p = pattern(n.get("pattern"), path + ".pattern");
                if (bool(n, "invert", path, false)) {
                    p = Pattern.invert(p);
                }
                yield new PreTokenizers.Split(p, SplitBehavior.parse(str(n, "behavior", path, null),
                        source + ": " + path + ".behavior"));
            }
            case "Metaspace" -> new PreTokenizers.Metaspace(singleChar(n, "replacement", path, '\u2581'),
                    prependScheme(n, path), bool(n, "split", path, true));
            case "Whitespace" -> new PreTokenizers.Whitespace();
            case "WhitespaceSplit" -> new PreTokenizers.WhitespaceSplit();
            case "BertPreTokenizer" -> new PreTokenizers.Bert();
            case "Punctuation" -> new PreTokenizers.Punctuation(SplitBehavior.parse(
                    str(n, "behavior", path, "Isolated"), source + ": " + path + ".behavior"));
            case "Digits" -> new PreTokenizers.Digits(bool(n, "individual_digits", path, false));
            case "Sequence" -> {
                List<PreTokenizer> list = new ArrayList<>();
                JsonNode arr = n.get("pretokenizers");
                if (arr == null || !arr.isArray()) {
                    throw error(path + ".pretokenizers", "expected an array");
                }
                for (int i = 0; i < arr.size(); i++) {
                    list.add(preTokenizer(arr.get(i), path + ".pretokenizers[" + i + "]"));
                }
                yield new PreTokenizers.Sequence(list);
            }
            default -> throw error(path + ".type", "unknown pre-tokenizer type \"" + t + "\" (expected one of "
                    + "ByteLevel, Split, Metaspace, Whitespace, WhitespaceSplit, BertPreTokenizer, Punctuation, "
                    + "Digits, Sequence)");
        };
    }

    private Map<String, Integer> vocabMap(JsonNode v, String path) {
        if (v == null || !v.isObject()) {
            throw error(path, "expected an object mapping tokens to ids");
        }
        Map<String, Integer> m = new HashMap<>(v.size() * 2);
        Iterator<Map.Entry<String, JsonNode>> it = v.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw error(path + "[\"" + e.getKey() + "\"]", "expected a non-negative integer id, found "
                        + e.getValue());
            }
            m.put(e.getKey(), e.getValue().asInt());
        }
        return m;
    }

    Model model(JsonNode n, String path) {
        if (n == null || !n.isObject()) {
            throw error(path, "missing model object");
        }
        JsonNode tn = n.get("type");
        String t;
        if (tn == null || tn.isNull()) {
            // Old files omit the type; the reference tries BPE, WordPiece, WordLevel, Unigram in turn.
            JsonNode v = n.get("vocab");
            if (v != null && v.isArray()) {
                t = "Unigram";
            } else if (n.has("merges")) {
                t = "BPE";
            } else if (n.has("continuing_subword_prefix") || n.has("max_input_chars_per_word")) {
                t = "WordPiece";
            } else if (v != null && v.isObject()) {
                t = "WordLevel";
            } else {
                throw error(path, "model has no \"type\" and its fields match no known model");
            }
        } else {
            t = tn.asText();
        }
        return switch (t) {
            case "BPE" -> {
                Map<String, Integer> vocab = vocabMap(n.get("vocab"), path + ".vocab");
                List<String[]> merges = new ArrayList<>();
                JsonNode ms = n.get("merges");
                if (ms != null && !ms.isNull()) {
                    if (!ms.isArray()) {
                        throw error(path + ".merges", "expected an array");
                    }
                    for (int i = 0; i < ms.size(); i++) {
                        JsonNode m = ms.get(i);
                        if (m.isTextual()) {
                            String s = m.asText();
                            int sp = s.indexOf(' ');
                            if (sp < 0) {
                                throw error(path + ".merges[" + i + "]", "expected \"a b\", found \"" + s + "\"");
                            }
                            merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
                        } else if (m.isArray() && m.size() == 2) {
                            merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
                        } else {
                            throw error(path + ".merges[" + i + "]", "expected \"a b\" or [a, b], found " + m);
                        }
                    }
                }
                JsonNode d = n.get("dropout");
                Double dropout = d == null || d.isNull() ? null : d.asDouble();
                yield new BpeModel(vocab, merges, optStr(n, "unk_token"), optStr(n, "continuing_subword_prefix"),
                        optStr(n, "end_of_word_suffix"), bool(n, "fuse_unk", path, false),
                        bool(n, "byte_fallback", path, false), bool(n, "ignore_merges", path, false), dropout,
                        source + ": " + path);
            }
            case "WordPiece" -> new WordPieceModel(vocabMap(n.get("vocab"), path + ".vocab"),
                    str(n, "unk_token", path, "[UNK]"), str(n, "continuing_subword_prefix", path, "##"),
                    integer(n, "max_input_chars_per_word", path, 100));
            case "WordLevel" -> new WordLevelModel(vocabMap(n.get("vocab"), path + ".vocab"), optStr(n, "unk_token"));
            case "Unigram" -> {
                JsonNode v = n.get("vocab");
                if (v == null || !v.isArray()) {
                    throw error(path + ".vocab", "expected an array of [piece, score]");
                }
                List<String> pieces = new ArrayList<>(v.size());
                double[] scores = new double[v.size()];
                for (int i = 0; i < v.size(); i++) {
                    JsonNode e = v.get(i);
                    if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber()) {
                        throw error(path + ".vocab[" + i + "]", "expected [piece, score], found " + e);
                    }
                    pieces.add(e.get(0).asText());
                    scores[i] = e.get(1).asDouble();
                }
                JsonNode u = n.get("unk_id");
                Integer unk = u == null || u.isNull() ? null : u.asInt();
                if (unk != null && (unk < 0 || unk >= pieces.size())) {
                    throw error(path + ".unk_id", "unk_id " + unk + " is outside the vocabulary of " + pieces.size());
                }
                yield new UnigramModel(pieces, scores, unk, bool(n, "byte_fallback", path, false));
            }
            default -> throw error(path + ".type", "unknown model type \"" + t
                    + "\" (expected one of BPE, WordPiece, WordLevel, Unigram)");
        };
    }

    private String[] tokIdPair(JsonNode n, String path) {
        if (n == null || !n.isArray() || n.size() != 2) {
            throw error(path, "expected [token, id]");
        }
        return new String[] {n.get(0).asText(), Integer.toString(n.get(1).asInt())};
    }

    PostProcessor postProcessor(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return null;
        }
        String t = type(n, path);
        return switch (t) {
            case "TemplateProcessing" -> {
                Map<String, PostProcessors.SpecialToken> specials = new LinkedHashMap<>();
                JsonNode st = n.get("special_tokens");
                if (st != null && st.isObject()) {
                    Iterator<Map.Entry<String, JsonNode>> it = st.fields();
                    while (it.hasNext()) {
                        Map.Entry<String, JsonNode> e = it.next();
                        JsonNode v = e.getValue();
                        JsonNode ids = v.get("ids");
                        JsonNode toks = v.get("tokens");
                        if (ids == null || toks == null || ids.size() != toks.size()) {
                            throw error(path + ".special_tokens." + e.getKey(), "expected ids and tokens of equal length");
                        }
                        int[] ia = new int[ids.size()];
                        String[] ta = new String[toks.size()];
                        for (int i = 0; i < ia.length; i++) {
                            ia[i] = ids.get(i).asInt();
                            ta[i] = toks.get(i).asText();
                        }
                        specials.put(e.getKey(), new PostProcessors.SpecialToken(str(v, "id", path, e.getKey()), ia, ta));
                    }
                }
                yield new PostProcessors.Template(template(n.get("single"), path + ".single", specials),
                        template(n.get("pair"), path + ".pair", specials), specials);
            }
            case "BertProcessing" -> {
                String[] sep = tokIdPair(n.get("sep"), path + ".sep");
                String[] cls = tokIdPair(n.get("cls"), path + ".cls");
                yield new PostProcessors.Bert(sep[0], Integer.parseInt(sep[1]), cls[0], Integer.parseInt(cls[1]));
            }
            case "RobertaProcessing" -> {
                String[] sep = tokIdPair(n.get("sep"), path + ".sep");
                String[] cls = tokIdPair(n.get("cls"), path + ".cls");
                yield new PostProcessors.Roberta(sep[0], Integer.parseInt(sep[1]), cls[0], Integer.parseInt(cls[1]),
                        bool(n, "trim_offsets", path, true), bool(n, "add_prefix_space", path, true));
            }
            case "ByteLevel" -> new PostProcessors.ByteLevel(bool(n, "trim_offsets", path, true),
                    bool(n, "add_prefix_space", path, true));
            case "Sequence" -> {
                List<PostProcessor> list = new ArrayList<>();
                JsonNode arr = n.get("processors");
                if (arr == null || !arr.isArray()) {
                    throw error(path + ".processors", "expected an array");
                }
                for (int i = 0; i < arr.size(); i++) list.add(postProcessor(arr.get(i), path + ".processors[" + i + "]"));
                yield new PostProcessors.Sequence(list);
            }
            default -> throw error(path + ".type", "unknown post-processor type \"" + t + "\" (expected one of "
                    + "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence)");
        };
    }

    private List<PostProcessors.Piece> template(JsonNode arr, String path,
                                                Map<String, PostProcessors.SpecialToken> specials) {
        List<PostProcessors.Piece> out = new ArrayList<>();
        if (arr == null || arr.isNull()) {
            return out;
        }
        if (!arr.isArray()) {
            throw error(path, "expected an array of template pieces");
        }
        for (int i = 0; i < arr.size(); i++) {
            JsonNode p = arr.get(i);
            String pp = path + "[" + i + "]";
            if (p.has("SpecialToken")) {
                JsonNode s = p.get("SpecialToken");
                String id = str(s, "id", pp, null);
                if (!specials.containsKey(id)) {
                    throw error(pp, "special token \"" + id + "\" is missing from special_tokens");
                }
                out.add(new PostProcessors.Piece(true, id, integer(s, "type_id", pp, 0)));
            } else if (p.has("Sequence")) {
                JsonNode s = p.get("Sequence");
                String id = str(s, "id", pp, null);
                if (!id.equals("A") && !id.equals("B")) {
                    throw error(pp + ".Sequence.id", "expected A or B, found \"" + id + "\"");
                }
                out.add(new PostProcessors.Piece(false, id, integer(s, "type_id", pp, 0)));
            } else {
                throw error(pp, "expected {\"SpecialToken\": ...} or {\"Sequence\": ...}, found " + p);
            }
        }
        return out;
    }

    Decoder decoder(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return null;
        }
        String t = type(n, path);
        return switch (t) {
            case "ByteLevel" -> new Decoders.ByteLevel();
            case "Metaspace" -> new Decoders.Metaspace(singleChar(n, "replacement", path, '\u2581'),
                    prependScheme(n, path) != PreTokenizers.PrependScheme.NEVER);
            case "ByteFallback" -> new Decoders.ByteFallback();
            case "Fuse" -> new Decoders.Fuse();
            case "Strip" -> new Decoders.Strip(singleChar(n, "content", path, ' '), integer(n, "start", path, 0),
                    integer(n, "stop", path, 0));
            case "Replace" -> new Decoders.Replace(pattern(n.get("pattern"), path + ".pattern"),
                    str(n, "content", path, null));
            case "WordPiece" -> new Decoders.WordPiece(str(n, "prefix", path, "##"), bool(n, "cleanup", path, true));
            case "BPEDecoder" -> new Decoders.Bpe(str(n, "suffix", path, "</w>"));
            case "CTC" -> new Decoders.Ctc(str(n, "pad_token", path, "<pad>"),
                    str(n, "word_delimiter_token", path, "|"), bool(n, "cleanup", path, true));
            case "Sequence" -> {
                List<Decoder> list = new ArrayList<>();
                JsonNode arr = n.get("decoders");
                if (arr == null || !arr.isArray()) {
                    throw error(path + ".decoders", "expected an array");
                }
                for (int i = 0; i < arr.size(); i++) list.add(decoder(arr.get(i), path + ".decoders[" + i + "]"));
                yield new Decoders.Sequence(list);
            }
            default -> throw error(path + ".type", "unknown decoder type \"" + t + "\" (expected one of ByteLevel, "
                    + "Metaspace, ByteFallback, Fuse, Strip, Replace, WordPiece, BPEDecoder, CTC, Sequence)");
        };
    }
}
