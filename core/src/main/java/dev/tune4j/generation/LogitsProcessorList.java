package dev.tune4j.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * Processors applied one after the other; transformers' {@code LogitsProcessorList}.
 *
 * <pre>{@code
 * // transformers: model._get_logits_processor(generation_config, input_ids_seq_length, ...)
 * LogitsProcessorList chain = LogitsProcessorList.fromConfig(config, promptLength);
 * chain.process(inputIds, scores);
 * }</pre>
 */
public final class LogitsProcessorList implements LogitsProcessor {
    private final List<LogitsProcessor> processors;

    private LogitsProcessorList(List<LogitsProcessor> processors) {
        this.processors = List.copyOf(processors);
    }

    /** A list of the given processors, applied in order. */
    public static LogitsProcessorList of(LogitsProcessor... processors) {
        return new LogitsProcessorList(List.of(processors));
    }

    /** A list of the given processors, applied in order. */
    public static LogitsProcessorList of(List<? extends LogitsProcessor> processors) {
        return new LogitsProcessorList(new ArrayList<>(processors));
    }

    /**
     * The processors {@code generate()} builds for this configuration, in transformers 4.45's order:
     * repetition penalty, no-repeat-ngram, min length, min new tokens; then, only when
     * {@code doSample}, the warpers temperature, top-k, top-p, min-p, typical-p.
     *
     * <p>Each is present only when it changes something ({@code temperature != 1}, {@code top_k != 0},
     * {@code top_p < 1}, {@code min_p} set, {@code typical_p < 1}, {@code repetition_penalty != 1},
     * {@code no_repeat_ngram_size > 0}, min lengths {@code > 0} with an eos id). Note that top_k defaults to 50, so it applies whenever sampling unless set to 0.
     * As in {@code _prepare_generated_length}, {@code min_new_tokens} also sets the effective
     * min_length to {@code min_new_tokens + promptLength}.
     *
     * @param promptLength the prompt length, left padding included
     */
    public static LogitsProcessorList fromConfig(GenerationConfig config, int promptLength) {
        return fromConfig(config, promptLength, List.of());
    }

    /**
     * As {@link #fromConfig(GenerationConfig, int)}, with user processors (the {@code logits_processor}
     * argument of {@code generate()}) placed where transformers 4.45 merges them: after the
     * processors built from the configuration and before the sampling warpers.
     */
    public static LogitsProcessorList fromConfig(GenerationConfig config, int promptLength,
            List<? extends LogitsProcessor> custom) {
        List<LogitsProcessor> list = new ArrayList<>();
        if (config.repetitionPenalty() != 1.0) {
            list.add(new RepetitionPenaltyLogitsProcessor(config.repetitionPenalty()));
        }
        if (config.noRepeatNgramSize() > 0) {
            list.add(new NoRepeatNGramLogitsProcessor(config.noRepeatNgramSize()));
        }
        List<Integer> eos = config.eosTokenIds();
        int minLength = config.minNewTokens().isPresent()
                ? config.minNewTokens().getAsInt() + promptLength
                : config.minLength();
        if (minLength > 0 && !eos.isEmpty()) {
            list.add(new MinLengthLogitsProcessor(minLength, eos));
        }
        if (config.minNewTokens().isPresent() && config.minNewTokens().getAsInt() > 0 && !eos.isEmpty()) {
            list.add(new MinNewTokensLengthLogitsProcessor(promptLength, config.minNewTokens().getAsInt(), eos));
        }
        list.addAll(custom);
        if (config.doSample()) {
            // beam sampling would keep 2 tokens per warper; only num_beams=1 is supported here
            int minTokensToKeep = 1;
            if (config.temperature() != 1.0) {
                list.add(new TemperatureLogitsWarper(config.temperature()));
            }
            if (config.topK() != 0) {
                list.add(new TopKLogitsWarper(config.topK(), minTokensToKeep));
            }
            if (config.topP() < 1.0) {
                list.add(new TopPLogitsWarper(config.topP(), minTokensToKeep));
            }
            if (config.minP().isPresent()) {
                list.add(new MinPLogitsWarper(config.minP().getAsDouble(), minTokensToKeep));
            }
            if (config.typicalP() < 1.0) {
                list.add(new TypicalLogitsWarper(config.typicalP(), minTokensToKeep));
            }
        }
        return new LogitsProcessorList(list);
    }

    /** A new list with {@code more} appended after these processors (transformers appends user processors last). */
    public LogitsProcessorList with(List<? extends LogitsProcessor> more) {
        List<LogitsProcessor> all = new ArrayList<>(processors);
        all.addAll(more);
        return new LogitsProcessorList(all);
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        for (LogitsProcessor p : processors) {
            p.process(inputIds, scores);
        }
    }

    /** The processors, in application order. */
    public List<LogitsProcessor> processors() {
        return processors;
    }

    /** Number of processors. */
    public int size() {
        return processors.size();
    }

    @Override
    public String toString() {
        return processors.toString();
    }
}
