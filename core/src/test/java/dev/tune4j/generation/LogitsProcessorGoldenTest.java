package dev.tune4j.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every processor against transformers 4.45 outputs (golden/trainer/generation.json): the fixed
 * llama_tiny logit vector and the hand-made small vectors. Equality is bit-exact: the processors
 * follow torch's float32 operations in the same order.
 */
class LogitsProcessorGoldenTest {

    private static JsonNode fixed() {
        return Golden.generationJson().get("fixed_vector_processors");
    }

    private static float[][] run(LogitsProcessor p, int[] ids, float[] input) {
        float[][] scores = {input.clone()};
        p.process(new int[][] {ids}, scores);
        return scores;
    }

    /** Bit-exact comparison (so -0.0 != 0.0 and the -inf sets must match), naming the first difference. */
    static void assertBitExact(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": first difference at index " + i + ": expected " + expected[i] + ", found " + actual[i]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"temperature_0.7", "top_k_5", "top_p_0.8", "top_p_0.8_after_temperature_0.7",
            "repetition_penalty_1.3", "generate_chain_T0.7_k5_p0.8", "generate_chain_T0.7_p0.8_default_top_k",
            "generate_chain_rep1.3_T0.7_k5_p0.8"})
    void fixedVectorOutputsEqualTransformers(String name) {
        JsonNode f = fixed();
        float[] input = Golden.floats(f.get("input_vector").get("values"));
        int[] ids = Golden.ints(f.get("input_ids_for_processors"));
        float[] expected = Golden.floats(f.get("outputs").get(name));
        LogitsProcessor p = fixedProcessor(name, ids.length).get();
        float[] actual = run(p, ids, input)[0];
        assertBitExact(expected, actual, name);
        JsonNode kept = f.get("kept_token_ids").get(name);
        if (kept != null) {
            List<Integer> finite = new ArrayList<>();
            for (int i = 0; i < actual.length; i++) {
                if (actual[i] != Float.NEGATIVE_INFINITY) finite.add(i);
            }
            List<Integer> expectedKept = new ArrayList<>();
            kept.forEach(k -> expectedKept.add(k.intValue()));
            assertEquals(expectedKept, finite, name + ": kept token ids");
        }
    }

    private static Supplier<LogitsProcessor> fixedProcessor(String name, int promptLength) {
        GenerationConfig.Builder sample = GenerationConfig.builder().doSample(true);
        return switch (name) {
            case "temperature_0.7" -> () -> new TemperatureLogitsWarper(0.7);
            case "top_k_5" -> () -> new TopKLogitsWarper(5);
            case "top_p_0.8" -> () -> new TopPLogitsWarper(0.8);
            case "top_p_0.8_after_temperature_0.7" ->
                    () -> LogitsProcessorList.of(new TemperatureLogitsWarper(0.7), new TopPLogitsWarper(0.8));
            case "repetition_penalty_1.3" -> () -> new RepetitionPenaltyLogitsProcessor(1.3);
            case "generate_chain_T0.7_k5_p0.8" -> () -> LogitsProcessorList.fromConfig(
                    sample.temperature(0.7).topK(5).topP(0.8).build(), promptLength);
            case "generate_chain_T0.7_p0.8_default_top_k" -> () -> LogitsProcessorList.fromConfig(
                    sample.temperature(0.7).topP(0.8).build(), promptLength);
            case "generate_chain_rep1.3_T0.7_k5_p0.8" -> () -> LogitsProcessorList.fromConfig(
                    sample.repetitionPenalty(1.3).temperature(0.7).topK(5).topP(0.8).build(), promptLength);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate_chain_T0.7_k5_p0.8", "generate_chain_T0.7_p0.8_default_top_k",
            "generate_chain_rep1.3_T0.7_k5_p0.8"})
    void fromConfigBuildsTransformersChain(String name) {
        JsonNode classes = fixed().get(name + "_processors");
        List<String> expected = new ArrayList<>();
        classes.forEach(c -> expected.add(c.asText().substring(0, c.asText().indexOf('('))));
        LogitsProcessorList chain = (LogitsProcessorList) fixedProcessor(name, 7).get();
        List<String> actual = chain.processors().stream().map(p -> p.getClass().getSimpleName()).toList();
        assertEquals(expected, actual);
        // the repr strings carry the parameters too (top_k=50 in the default case)
        List<String> expectedRepr = new ArrayList<>();
        classes.forEach(c -> expectedRepr.add(c.asText()));
        assertEquals(expectedRepr, chain.processors().stream().map(Object::toString).toList());
    }

    @Test
    void samplingDistributionOfChainMatchesSoftmax() {
        JsonNode f = fixed();
        float[] input = Golden.floats(f.get("input_vector").get("values"));
        float[] processed = run(fixedProcessor("generate_chain_T0.7_k5_p0.8", 7).get(),
                Golden.ints(f.get("input_ids_for_processors")), input)[0];
        float[] expected = Golden.floats(f.get("softmax_of_generate_chain_T0.7_k5_p0.8"));
        float[] actual = Sampling.softmax(processed);
        for (int i = 0; i < expected.length; i++) {
            // torch sums with a vectorised float reduction, this code in double: last-bit differences
            assertEquals(expected[i], actual[i], 1e-7, "softmax at " + i);
        }
    }

    private static JsonNode small(String name) {
        return Golden.generationJson().get("small_vectors").get(name);
    }

    private static float[] smallRun(String name, LogitsProcessor p, int[] ids) {
        JsonNode c = small(name);
        return run(p, ids, Golden.floats(c.get("input")))[0];
    }

    private static void assertSmall(String name, float[] actual) {
        assertBitExact(Golden.floats(small(name).get("output")), actual, name);
    }

    @Test
    void topKKeepsTiesWithTheKthValue() {
        JsonNode c = small("top_k_3_with_ties");
        assertSmall("top_k_3_with_ties", smallRun("top_k_3_with_ties", new TopKLogitsWarper(c.get("top_k").intValue()), new int[] {0}));
    }

    @Test
    void topKLargerThanVocabIsClamped() {
        JsonNode c = small("top_k_10_larger_than_vocab");
        assertSmall("top_k_10_larger_than_vocab",
                smallRun("top_k_10_larger_than_vocab", new TopKLogitsWarper(c.get("top_k").intValue()), new int[] {0}));
    }

    @ParameterizedTest
    @ValueSource(strings = {"top_p_0.5_single_dominant", "top_p_0.9", "top_p_0.5_min_tokens_to_keep_3"})
    void topPSmallVectors(String name) {
        JsonNode c = small(name);
        int keep = c.has("min_tokens_to_keep") ? c.get("min_tokens_to_keep").intValue() : 1;
        assertSmall(name, smallRun(name, new TopPLogitsWarper(c.get("top_p").doubleValue(), keep), new int[] {0}));
    }

    @Test
    void repetitionPenaltyCountsDuplicatesOnceAndKeepsZero() {
        JsonNode c = small("repetition_penalty_2.0");
        int[] ids = Golden.ints(c.get("input_ids").get(0));
        assertSmall("repetition_penalty_2.0",
                smallRun("repetition_penalty_2.0", new RepetitionPenaltyLogitsProcessor(c.get("penalty").doubleValue()), ids));
    }

    @ParameterizedTest
    @ValueSource(strings = {"no_repeat_ngram_size_2", "no_repeat_ngram_size_3"})
    void noRepeatNgramSmallVectors(String name) {
        JsonNode c = small(name);
        int[] ids = Golden.ints(c.get("input_ids").get(0));
        assertSmall(name, smallRun(name, new NoRepeatNGramLogitsProcessor(c.get("ngram_size").intValue()), ids));
    }

    @Test
    void temperatureSmallVector() {
        JsonNode c = small("temperature_0.5");
        assertSmall("temperature_0.5",
                smallRun("temperature_0.5", new TemperatureLogitsWarper(c.get("temperature").doubleValue()), new int[] {0}));
    }

    @Test
    void everySmallVectorCaseIsCovered() {
        List<String> covered = List.of("top_k_3_with_ties", "top_p_0.5_single_dominant", "top_p_0.9",
                "top_p_0.5_min_tokens_to_keep_3", "top_k_10_larger_than_vocab", "repetition_penalty_2.0",
                "no_repeat_ngram_size_2", "no_repeat_ngram_size_3", "temperature_0.5");
        List<String> present = new ArrayList<>();
        Golden.generationJson().get("small_vectors").fieldNames().forEachRemaining(present::add);
        assertTrue(covered.containsAll(present), "cases without a test: " + present);
    }
}
