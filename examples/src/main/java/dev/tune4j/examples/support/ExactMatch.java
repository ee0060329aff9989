package dev.tune4j.examples.support;

import dev.tune4j.generation.GenerationConfig;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Exact-match accuracy of greedy answers: each prompt is generated from until eos (or
 * {@code maxNewTokens}), the new tokens are decoded without special tokens and trimmed, and the
 * answer counts when it equals the expected text.
 */
public final class ExactMatch {
    private ExactMatch() {}

    /** One question, the expected answer and what the model answered. */
    public record Answer(String instruction, String expected, String generated) {
        /** Whether the generated answer equals the expected one. */
        public boolean correct() {
            return expected.equals(generated);
        }
    }

    /** The answers and their accuracy (0..1). */
    public record Result(List<Answer> answers, double accuracy) {
        /** Accuracy in percent. */
        public double percent() {
            return 100 * accuracy;
        }
    }

    /**
     * Generates greedily for each (instruction, expected) pair, prompting with {@code prompt.apply(instruction)}.
     */
    public static Result evaluate(CausalLM model, PretrainedTokenizer tok, List<String[]> pairs,
                                  Function<String, String> prompt, int maxNewTokens) {
        return evaluate(model, tok, pairs, prompt,
                model.generationConfig().toBuilder().maxNewTokens(maxNewTokens).doSample(false).build());
    }

    /** As above with the generation settings given (e.g. other end-of-turn ids). */
    public static Result evaluate(CausalLM model, PretrainedTokenizer tok, List<String[]> pairs,
                                  Function<String, String> prompt, GenerationConfig greedy) {
        List<Answer> answers = new ArrayList<>();
        int correct = 0;
        for (String[] pair : pairs) {
            String text = generate(model, tok, prompt.apply(pair[0]), greedy);
            Answer a = new Answer(pair[0], pair[1], text);
            answers.add(a);
            if (a.correct()) {
                correct++;
            }
        }
        return new Result(answers, pairs.isEmpty() ? 0 : (double) correct / pairs.size());
    }

    /** The decoded continuation of {@code prompt}, special tokens skipped, trimmed. */
    public static String generate(CausalLM model, PretrainedTokenizer tok, String prompt, GenerationConfig config) {
        int[] ids = tok.encode(prompt, true).ids();
        int[][] out = model.generate(new int[][] {ids}, null, config);
        return tok.decode(Arrays.copyOfRange(out[0], ids.length, out[0].length), true).trim();
    }
}
