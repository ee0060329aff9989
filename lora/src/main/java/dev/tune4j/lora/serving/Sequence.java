package dev.tune4j.lora.serving;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.generation.LogitsProcessorList;
import dev.tune4j.models.KvCache;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;

/**
 * One request's state while it waits or runs: its tokens so far, its own processors and random
 * generator, and where its keys/values live (a row of some cache, slots {@code start..start+len-1}).
 * Touched only by the scheduler thread once queued.
 */
final class Sequence {
    final long id;
    final String adapter;              // LoraLinear.BASE for the base model
    final String loraName;             // as reported back: null for the base
    final int promptLength;
    final int maxLength;               // total length (prompt + new) at which generation stops
    final List<Integer> eos;
    final LogitsProcessorList processors;
    final RandomGenerator random;      // null when greedy
    final IntConsumer streamer;
    final CompletableFuture<RequestOutput> future;
    int[] tokens;                      // prompt + generated
    int length;                        // used entries of tokens

    KvCache cache;
    int cacheRow;
    int cacheStart;
    int cacheLength;

    Sequence(long id, String adapter, String loraName, int[] prompt, GenerationConfig config, int maxLength,
            LogitsProcessorList processors, RandomGenerator random, IntConsumer streamer,
            CompletableFuture<RequestOutput> future) {
        this.id = id;
        this.adapter = adapter;
        this.loraName = loraName;
        this.promptLength = prompt.length;
        this.maxLength = maxLength;
        this.eos = config.eosTokenIds();
        this.processors = processors;
        this.random = random;
        this.streamer = streamer;
        this.future = future;
        // Grown on demand: maxLength may be far above what the request ends up generating.
        this.tokens = Arrays.copyOf(prompt, Math.min(maxLength, prompt.length + 64));
        this.length = prompt.length;
    }

    int[] prompt() {
        return Arrays.copyOf(tokens, promptLength);
    }

    int[] generated() {
        return Arrays.copyOfRange(tokens, promptLength, length);
    }

    int[] sequence() {
        return Arrays.copyOf(tokens, length);
    }

    int last() {
        return tokens[length - 1];
    }

    void append(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.min(maxLength, tokens.length * 2));
        }
        tokens[length++] = token;
    }

    /** Null while unfinished; else why it stopped, checked after the last append as generate() does. */
    FinishReason finishReason() {
        if (length > promptLength && eos.contains(tokens[length - 1])) {
            return FinishReason.STOP;
        }
        return length >= maxLength ? FinishReason.LENGTH : null;
    }
}
