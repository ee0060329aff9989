package dev.tune4j.lora.serving;

import dev.tune4j.generation.GenerationConfig;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * One request to a {@link LoraServer}: a prompt (token ids, text, or chat messages rendered through
 * the tokenizer's chat template), the adapter to use, how to generate, and an optional callback
 * receiving each new token as it is generated.
 *
 * <pre>{@code
 * // vLLM: llm.generate(prompt, SamplingParams(max_tokens=32), lora_request=LoRARequest("sql", 1, path))
 * var req = GenerationRequest.builder().prompt("SELECT").loraName("sql")
 *         .config(GenerationConfig.builder().maxNewTokens(32).build()).build();
 * RequestOutput out = server.submit(req).join();
 * }</pre>
 *
 * <p>Exactly one of {@code promptTokenIds}, {@code prompt} and {@code messages} is set.
 */
public final class GenerationRequest {
    private final int[] promptTokenIds;
    private final String prompt;
    private final List<Map<String, Object>> messages;
    private final boolean addSpecialTokens;
    private final String loraName;
    private final GenerationConfig config;
    private final IntConsumer streamer;

    private GenerationRequest(Builder b) {
        int set = (b.promptTokenIds != null ? 1 : 0) + (b.prompt != null ? 1 : 0) + (b.messages != null ? 1 : 0);
        if (set != 1) {
            throw new IllegalArgumentException("a request needs exactly one of promptTokenIds, prompt and messages; found "
                    + set);
        }
        this.promptTokenIds = b.promptTokenIds == null ? null : b.promptTokenIds.clone();
        this.prompt = b.prompt;
        this.messages = b.messages == null ? null : List.copyOf(b.messages);
        this.addSpecialTokens = b.addSpecialTokens;
        this.loraName = b.loraName;
        this.config = b.config;
        this.streamer = b.streamer;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The prompt as token ids, or null when given as text or messages. */
    public int[] promptTokenIds() {
        return promptTokenIds == null ? null : promptTokenIds.clone();
    }

    /** The prompt as text, or null. */
    public String prompt() {
        return prompt;
    }

    /** The chat messages ({@code role}, {@code content}), or null. */
    public List<Map<String, Object>> messages() {
        return messages;
    }

    /** Whether a text prompt is encoded with the tokenizer's special tokens (bos); default true. */
    public boolean addSpecialTokens() {
        return addSpecialTokens;
    }

    /** The adapter's name; null or {@code "__base__"} for the base model. */
    public String loraName() {
        return loraName;
    }

    /** How to generate; null for the model's generation config. */
    public GenerationConfig config() {
        return config;
    }

    /** Receives each generated token id on the server's scheduler thread; null for none. Keep it quick. */
    public IntConsumer streamer() {
        return streamer;
    }

    /** Builder of {@link GenerationRequest}. */
    public static final class Builder {
        private int[] promptTokenIds;
        private String prompt;
        private List<Map<String, Object>> messages;
        private boolean addSpecialTokens = true;
        private String loraName;
        private GenerationConfig config;
        private IntConsumer streamer;

        private Builder() {}

        /** The prompt as token ids, fed as given (no special tokens added). */
        public Builder promptTokenIds(int... ids) {
            this.promptTokenIds = ids;
            return this;
        }

        /** The prompt as text, encoded by the server's tokenizer. */
        public Builder prompt(String text) {
            this.prompt = text;
            return this;
        }

        /** Chat messages, rendered with the generation prompt through the tokenizer's chat template. */
        public Builder messages(List<Map<String, Object>> messages) {
            this.messages = messages;
            return this;
        }

        /** Whether a text prompt gets the tokenizer's special tokens (bos); default true. */
        public Builder addSpecialTokens(boolean v) {
            this.addSpecialTokens = v;
            return this;
        }

        /** The adapter to use (vLLM's {@code lora_request}); null or {@code "__base__"} for the base model. */
        public Builder loraName(String name) {
            this.loraName = name;
            return this;
        }

        /** How to generate (greedy, or sampling with its own seed); null for the model's generation config. */
        public Builder config(GenerationConfig config) {
            this.config = config;
            return this;
        }

        /** Receives each new token id as it is generated, on the scheduler thread: keep it quick. */
        public Builder streamer(IntConsumer streamer) {
            this.streamer = streamer;
            return this;
        }

        /** The request; exactly one of the three prompt forms must be set. */
        public GenerationRequest build() {
            return new GenerationRequest(this);
        }
    }
}
