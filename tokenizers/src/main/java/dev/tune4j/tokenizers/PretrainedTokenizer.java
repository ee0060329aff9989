package dev.tune4j.tokenizers;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tokenizer directory as transformers' {@code PreTrainedTokenizerFast} sees it: the
 * {@link Tokenizer} of tokenizer.json plus what tokenizer_config.json and special_tokens_map.json
 * add (special tokens, {@code add_bos_token}/{@code add_eos_token}, {@code model_max_length},
 * padding and truncation sides, chat template).
 *
 * <pre>{@code
 * // Python: tok = AutoTokenizer.from_pretrained(path)
 * //         text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
 * PretrainedTokenizer tok = AutoTokenizer.fromPretrained(Path.of("Qwen2.5-0.5B-Instruct"));
 * String text = tok.applyChatTemplate(messages, true);
 * int[] ids = tok.encode(text, false).ids();
 * }</pre>
 *
 * <p>Like transformers, Llama-, CodeLlama- and Gemma-style tokenizers (and any config that sets
 * {@code add_bos_token} or {@code add_eos_token} to true) get their post-processor rebuilt as
 * {@code [bos] $A [eos]} from those flags. {@code clean_up_tokenization_spaces} is applied by
 * {@link #decode} when the config sets it (absent means false).
 */
public final class PretrainedTokenizer {
    /** Names of the single special tokens, in transformers' order. */
    static final List<String> SPECIAL_KEYS = List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
            "cls_token", "mask_token");
    private static final List<String> LLAMA_LIKE = List.of("LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer",
            "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast");

    private final Tokenizer tokenizer;
    private final ObjectNode config;
    private final Map<String, String> specialTokens = new LinkedHashMap<>();
    private final List<String> additionalSpecialTokens = new ArrayList<>();
    private final Boolean addBosToken;
    private final Boolean addEosToken;
    private final long modelMaxLength;
    private final String paddingSide;
    private final String truncationSide;
    private final boolean cleanUpTokenizationSpaces;
    /** Template name to source; "default" for a single string. */
    private final Map<String, String> chatTemplates = new LinkedHashMap<>();

    private PretrainedTokenizer(Tokenizer tokenizer, ObjectNode config, ObjectNode specialMap, String source,
                                String chatTemplateFile) {
        this.config = config;
        for (String key : SPECIAL_KEYS) {
            String v = tokenValue(config.get(key), source + "/tokenizer_config.json", key);
            String m = tokenValue(specialMap.get(key), source + "/special_tokens_map.json", key);
            String value = v != null ? v : m;
            if (value != null) {
                specialTokens.put(key, value);
            }
        }
        JsonNode add = config.has("additional_special_tokens") ? config.get("additional_special_tokens")
                : specialMap.get("additional_special_tokens");
        if (add != null && add.isArray()) {
            for (int i = 0; i < add.size(); i++) {
                String t = tokenValue(add.get(i), source, "additional_special_tokens[" + i + "]");
                if (t != null) {
                    additionalSpecialTokens.add(t);
                }
            }
        }
        addBosToken = config.has("add_bos_token") && !config.get("add_bos_token").isNull()
                ? config.get("add_bos_token").asBoolean() : null;
        addEosToken = config.has("add_eos_token") && !config.get("add_eos_token").isNull()
                ? config.get("add_eos_token").asBoolean() : null;
        JsonNode mml = config.get("model_max_length");
        long maxLen = 1_000_000_000_000_000_000L; // transformers' VERY_LARGE_INTEGER stand-in
        if (mml != null && mml.isNumber()) {
            BigInteger b = mml.bigIntegerValue();
            maxLen = b.bitLength() < 63 ? b.longValue() : Long.MAX_VALUE;
        }
        modelMaxLength = maxLen;
        paddingSide = config.path("padding_side").asText("right");
        truncationSide = config.path("truncation_side").asText("right");
        cleanUpTokenizationSpaces = config.path("clean_up_tokenization_spaces").asBoolean(false);
        if (chatTemplateFile != null) {
            chatTemplates.put("default", chatTemplateFile);
        } else {
            JsonNode ct = config.get("chat_template");
            if (ct != null && ct.isTextual()) {
                chatTemplates.put("default", ct.asText());
            } else if (ct != null && ct.isArray()) {
                for (JsonNode t : ct) {
                    chatTemplates.put(t.path("name").asText(), t.path("template").asText());
                }
            }
        }
        // transformers registers every special token that is not an added token yet.
        List<AddedToken> missing = new ArrayList<>();
        List<String> all = new ArrayList<>(specialTokens.values());
        all.addAll(additionalSpecialTokens);
        for (String t : all) {
            if (!tokenizer.added.tokenToId.containsKey(t)) {
                missing.add(new AddedToken(t, false, false, false, false, true));
            }
        }
        if (!missing.isEmpty()) {
            tokenizer.addTokens(missing);
        }
        String cls = config.path("tokenizer_class").asText("");
        boolean rewrite = LLAMA_LIKE.contains(cls) || Boolean.TRUE.equals(addBosToken) || Boolean.TRUE.equals(addEosToken);
        this.tokenizer = rewrite ? withBosEos(tokenizer, cls, source) : tokenizer;
    }

    private static String tokenValue(JsonNode n, String file, String key) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.has("content")) {
            return n.get("content").asText();
        }
        throw new TokenizerException(file + ": " + key + ": expected a string or {\"content\": ...}, found " + n);
    }

    /** Rebuilds the post-processor from add_bos_token/add_eos_token, as LlamaTokenizerFast does. */
    private Tokenizer withBosEos(Tokenizer base, String cls, String source) {
        boolean llamaLike = LLAMA_LIKE.contains(cls);
        boolean addBos = addBosToken != null ? addBosToken : llamaLike;
        boolean addEos = addEosToken != null && addEosToken;
        String bos = specialTokens.get("bos_token");
        String eos = specialTokens.get("eos_token");
        if (addBos && bos == null) {
            throw new TokenizerException(source + "/tokenizer_config.json: add_bos_token = true but bos_token is not set");
        }
        if (addEos && eos == null) {
            throw new TokenizerException(source + "/tokenizer_config.json: add_eos_token = true but eos_token is not set");
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode pp = f.objectNode();
        pp.put("type", "TemplateProcessing");
        ArrayNode single = f.arrayNode();
        ArrayNode pair = f.arrayNode();
        ObjectNode specials = f.objectNode();
        if (addBos) {
            single.add(special(bos, 0));
            specials.set(bos, specialEntry(base, bos, source));
        }
        single.add(sequence("A", 0));
        if (addEos) {
            single.add(special(eos, 0));
            specials.set(eos, specialEntry(base, eos, source));
        }
        for (JsonNode n : single) pair.add(n.deepCopy());
        if (addBos) {
            pair.add(special(bos, 1));
        }
        pair.add(sequence("B", 1));
        if (addEos) {
            pair.add(special(eos, 1));
        }
        pp.set("single", single);
        pp.set("pair", pair);
        pp.set("special_tokens", specials);
        ObjectNode tree = base.jsonTree();
        tree.set("post_processor", pp);
        Tokenizer t = Tokenizer.fromTree(tree, base.source());
        t.addTokens(new ArrayList<>(base.addedTokensDecoder().values()));
        t.setPadding(base.padding());
        t.setTruncation(base.truncation());
        return t;
    }

    private static ObjectNode special(String id, int typeId) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("SpecialToken", JsonNodeFactory.instance.objectNode().put("id", id).put("type_id", typeId));
        return o;
    }

    private static ObjectNode sequence(String id, int typeId) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("Sequence", JsonNodeFactory.instance.objectNode().put("id", id).put("type_id", typeId));
        return o;
    }

    private static ObjectNode specialEntry(Tokenizer t, String token, String source) {
        Integer id = t.tokenToId(token);
        if (id == null) {
            throw new TokenizerException(source + ": special token \"" + token + "\" is not in the vocabulary");
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", token);
        o.set("ids", JsonNodeFactory.instance.arrayNode().add(id));
        o.set("tokens", JsonNodeFactory.instance.arrayNode().add(token));
        return o;
    }

    /** Loads a local tokenizer directory (tokenizer.json required). */
    static PretrainedTokenizer load(Path dir) {
        Path tj = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tj)) {
            throw new TokenizerException(dir + ": no tokenizer.json (only fast tokenizers are supported; "
                    + "convert a slow one with transformers first)");
        }
        Tokenizer t = Tokenizer.fromFile(tj);
        ObjectNode config = readObject(dir.resolve("tokenizer_config.json"));
        ObjectNode specialMap = readObject(dir.resolve("special_tokens_map.json"));
        String templateFile = null;
        Path jinja = dir.resolve("chat_template.jinja");
        Path ctJson = dir.resolve("chat_template.json");
        try {
            if (Files.isRegularFile(jinja)) {
                templateFile = Files.readString(jinja, StandardCharsets.UTF_8);
            } else if (Files.isRegularFile(ctJson)) {
                JsonNode n = readObject(ctJson).get("chat_template");
                templateFile = n == null || n.isNull() ? null : n.asText();
            }
        } catch (IOException e) {
            throw new TokenizerException(jinja + ": cannot read: " + e.getMessage(), e);
        }
        return new PretrainedTokenizer(t, config, specialMap, dir.toString(), templateFile);
    }

    private static ObjectNode readObject(Path p) {
        if (!Files.isRegularFile(p)) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode n = Tokenizer.MAPPER.readTree(Files.readString(p, StandardCharsets.UTF_8));
            if (n == null || !n.isObject()) {
                throw new TokenizerException(p + ": $: expected a JSON object");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new TokenizerException(p + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- accessors

    /** The underlying tokenizer.json pipeline (Python {@code tok.backend_tokenizer}). */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** A special token ({@code "bos_token"}, {@code "eos_token"}, ...) if set. */
    public Optional<String> specialToken(String name) {
        return Optional.ofNullable(specialTokens.get(name));
    }

    public Optional<String> bosToken() {
        return specialToken("bos_token");
    }

    public Optional<String> eosToken() {
        return specialToken("eos_token");
    }

    public Optional<String> unkToken() {
        return specialToken("unk_token");
    }

    public Optional<String> padToken() {
        return specialToken("pad_token");
    }

    public Optional<String> sepToken() {
        return specialToken("sep_token");
    }

    public Optional<String> clsToken() {
        return specialToken("cls_token");
    }

    public Optional<String> maskToken() {
        return specialToken("mask_token");
    }

    private Optional<Integer> idOf(Optional<String> token) {
        return token.map(tokenizer::tokenToId);
    }

    /** Python {@code tok.bos_token_id}. */
    public Optional<Integer> bosTokenId() {
        return idOf(bosToken());
    }

    /** Python {@code tok.eos_token_id}. */
    public Optional<Integer> eosTokenId() {
        return idOf(eosToken());
    }

    /** Python {@code tok.pad_token_id}. */
    public Optional<Integer> padTokenId() {
        return idOf(padToken());
    }

    /** Python {@code tok.unk_token_id}. */
    public Optional<Integer> unkTokenId() {
        return idOf(unkToken());
    }

    /** Python {@code tok.additional_special_tokens}. */
    public List<String> additionalSpecialTokens() {
        return List.copyOf(additionalSpecialTokens);
    }

    /** Python {@code tok.all_special_tokens}: the set special tokens, then the additional ones. */
    public List<String> allSpecialTokens() {
        List<String> all = new ArrayList<>();
        for (String t : specialTokens.values()) {
            if (!all.contains(t)) all.add(t);
        }
        for (String t : additionalSpecialTokens) {
            if (!all.contains(t)) all.add(t);
        }
        return all;
    }

    /** Python {@code tok.model_max_length} (very large when unset). */
    public long modelMaxLength() {
        return modelMaxLength;
    }

    /** "right" or "left" (Python {@code padding_side}). */
    public String paddingSide() {
        return paddingSide;
    }

    /** "right" or "left" (Python {@code truncation_side}). */
    public String truncationSide() {
        return truncationSide;
    }

    /** The chat template used by default, if any (Python {@code tok.chat_template}). */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplates.get("default"));
    }

    /** Named chat templates (a single string template is named "default"). */
    public Map<String, String> chatTemplates() {
        return Map.copyOf(chatTemplates);
    }

    /** Python {@code len(tok)}: vocabulary size with added tokens. */
    public int vocabSize() {
        return tokenizer.vocabSize(true);
    }

    /** Python {@code tok.convert_tokens_to_ids(token)}; null when unknown. */
    public Integer tokenToId(String token) {
        return tokenizer.tokenToId(token);
    }

    /** Python {@code tok.convert_ids_to_tokens(id)}; null when unknown. */
    public String idToToken(int id) {
        return tokenizer.idToToken(id);
    }

    // ---------------------------------------------------------------- encode / decode

    /** Python {@code tok(text)} / {@code tok.encode(text)}, with special tokens. */
    public Encoding encode(String text) {
        return tokenizer.encode(text, true);
    }

    /** Python {@code tok(text, add_special_tokens=...)}. */
    public Encoding encode(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens);
    }

    /**
     * Python {@code tok(texts, padding=..., truncation=..., max_length=...)}: pads with the pad token
     * on {@code padding_side} and truncates on {@code truncation_side} to {@code maxLength} (or
     * {@code model_max_length} when null).
     *
     * @param padding pad to the longest text ({@code padding=True}) or not
     * @param truncation cut to {@code maxLength} ({@code truncation=True}) or not
     */
    public List<Encoding> encodeBatch(List<String> texts, boolean addSpecialTokens, boolean padding, boolean truncation,
                                      Integer maxLength) {
        PaddingParams pad = null;
        if (padding) {
            String pt = padToken().orElseThrow(() -> new TokenizerException(
                    "padding requested but the tokenizer has no pad_token (set one, e.g. the eos token)"));
            pad = new PaddingParams(null, "left".equals(paddingSide) ? PaddingParams.Direction.LEFT
                    : PaddingParams.Direction.RIGHT, null, padTokenId().orElseThrow(), 0, pt);
        }
        TruncationParams trunc = null;
        if (truncation) {
            long max = maxLength != null ? maxLength : modelMaxLength;
            trunc = new TruncationParams((int) Math.min(Integer.MAX_VALUE, max), 0,
                    TruncationParams.Strategy.LONGEST_FIRST, "left".equals(truncationSide)
                    ? TruncationParams.Direction.LEFT : TruncationParams.Direction.RIGHT);
        }
        return tokenizer.encodeBatch(texts, addSpecialTokens, pad, trunc);
    }

    /** Python {@code tok.decode(ids, skip_special_tokens=...)}, with clean_up_tokenization_spaces as configured. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        String s = tokenizer.decode(ids, skipSpecialTokens);
        return cleanUpTokenizationSpaces ? Decoders.cleanupSpaces(s) : s;
    }

    /** Python {@code tok.batch_decode(sequences, skip_special_tokens=...)}. */
    public List<String> batchDecode(List<int[]> sequences, boolean skipSpecialTokens) {
        List<String> out = new ArrayList<>(sequences.size());
        for (int[] s : sequences) out.add(decode(s, skipSpecialTokens));
        return out;
    }

    // ---------------------------------------------------------------- chat templates

    /** Python {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)}. */
    public String applyChatTemplate(List<Map<String, Object>> messages, boolean addGenerationPrompt) {
        return applyChatTemplate(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Python {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=..., **kwargs)}:
     * {@code extraVariables} may hold {@code tools}, {@code documents} or anything the template reads;
     * they override the defaults.
     */
    public String applyChatTemplate(List<Map<String, Object>> messages, boolean addGenerationPrompt,
                                    Map<String, Object> extraVariables) {
        return applyChatTemplate(messages, addGenerationPrompt, null, extraVariables);
    }

    /**
     * As {@link #applyChatTemplate(List, boolean, Map)} with a named template ({@code chat_template=name});
     * null picks "tool_use" when tools are given and such a template exists, else "default".
     */
    public String applyChatTemplate(List<Map<String, Object>> messages, boolean addGenerationPrompt,
                                    String templateName, Map<String, Object> extraVariables) {
        String source = selectTemplate(templateName, extraVariables);
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("messages", messages);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("tools", null);
        ctx.put("documents", null);
        ctx.putAll(specialTokens);
        if (!additionalSpecialTokens.isEmpty() || config.has("additional_special_tokens")) {
            ctx.put("additional_special_tokens", List.copyOf(additionalSpecialTokens));
        }
        if (extraVariables != null) {
            ctx.putAll(extraVariables);
        }
        return ChatTemplates.render(source, ctx, templateClock);
    }

    private java.time.Clock templateClock = java.time.Clock.systemDefaultZone();

    /**
     * The clock the templates' {@code strftime_now} reads (the system clock by default); a fixed
     * clock makes renderings that print today's date reproducible.
     */
    public PretrainedTokenizer templateClock(java.time.Clock clock) {
        this.templateClock = java.util.Objects.requireNonNull(clock);
        return this;
    }

    /** Python {@code apply_chat_template(messages, tokenize=True, ...)}: the rendered text encoded without special tokens. */
    public int[] applyChatTemplateTokenized(List<Map<String, Object>> messages, boolean addGenerationPrompt) {
        return applyChatTemplateTokenized(messages, addGenerationPrompt, Map.of());
    }

    /** Tokenized variant with extra template variables. */
    public int[] applyChatTemplateTokenized(List<Map<String, Object>> messages, boolean addGenerationPrompt,
                                            Map<String, Object> extraVariables) {
        return tokenizer.encode(applyChatTemplate(messages, addGenerationPrompt, extraVariables), false).ids();
    }

    private String selectTemplate(String name, Map<String, Object> extra) {
        if (chatTemplates.isEmpty()) {
            throw new TokenizerException("this tokenizer has no chat_template (tokenizer_config.json sets none); "
                    + "pass one explicitly");
        }
        if (name != null) {
            String t = chatTemplates.get(name);
            if (t == null) {
                throw new TokenizerException("no chat template named \"" + name + "\" (available: "
                        + chatTemplates.keySet() + ")");
            }
            return t;
        }
        if (extra != null && extra.get("tools") != null && chatTemplates.containsKey("tool_use")) {
            return chatTemplates.get("tool_use");
        }
        String t = chatTemplates.get("default");
        if (t == null) {
            throw new TokenizerException("no default chat template (available: " + chatTemplates.keySet()
                    + "); pass a template name");
        }
        return t;
    }

    // ---------------------------------------------------------------- saving

    /**
     * Python {@code save_pretrained(dir)}: writes tokenizer.json, tokenizer_config.json and
     * special_tokens_map.json, each atomically.
     */
    public void savePretrained(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new TokenizerException(dir + ": cannot create directory: " + e.getMessage(), e);
        }
        tokenizer.save(dir.resolve("tokenizer.json"));
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode cfg = config.deepCopy();
        ObjectNode decoderNode = f.objectNode();
        for (Map.Entry<Integer, AddedToken> e : tokenizer.addedTokensDecoder().entrySet()) {
            AddedToken t = e.getValue();
            ObjectNode o = f.objectNode();
            o.put("content", t.content());
            o.put("lstrip", t.lstrip());
            o.put("normalized", t.normalized());
            o.put("rstrip", t.rstrip());
            o.put("single_word", t.singleWord());
            o.put("special", t.special());
            decoderNode.set(Integer.toString(e.getKey()), o);
        }
        cfg.set("added_tokens_decoder", decoderNode);
        ObjectNode map = f.objectNode();
        for (String key : SPECIAL_KEYS) {
            String v = specialTokens.get(key);
            if (v != null) {
                cfg.put(key, v);
                map.put(key, v);
            }
        }
        if (!additionalSpecialTokens.isEmpty()) {
            ArrayNode a = f.arrayNode();
            additionalSpecialTokens.forEach(a::add);
            cfg.set("additional_special_tokens", a.deepCopy());
            map.set("additional_special_tokens", a);
        }
        if (!cfg.has("model_max_length")) {
            cfg.put("model_max_length", modelMaxLength);
        }
        cfg.put("clean_up_tokenization_spaces", cleanUpTokenizationSpaces);
        if (!cfg.has("tokenizer_class")) {
            cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        }
        if (!chatTemplates.isEmpty() && !cfg.has("chat_template")) {
            if (chatTemplates.size() == 1 && chatTemplates.containsKey("default")) {
                cfg.put("chat_template", chatTemplates.get("default"));
            } else {
                ArrayNode a = f.arrayNode();
                chatTemplates.forEach((k, v) -> a.add(f.objectNode().put("name", k).put("template", v)));
                cfg.set("chat_template", a);
            }
        }
        try {
            AtomicFiles.writeString(dir.resolve("tokenizer_config.json"),
                    Tokenizer.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
            AtomicFiles.writeString(dir.resolve("special_tokens_map.json"),
                    Tokenizer.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(map));
        } catch (IOException e) {
            throw new TokenizerException(dir + ": cannot serialize tokenizer config: " + e.getMessage(), e);
        }
    }

    /** Reads a JSON object of the config as a plain map (for callers needing other keys). */
    public Map<String, Object> config() {
        return Tokenizer.MAPPER.convertValue(config, new TypeReference<Map<String, Object>>() { });
    }
}
