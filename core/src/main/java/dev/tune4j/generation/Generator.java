package dev.tune4j.generation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoding loop of transformers' {@code generate()} for decoder-only models, greedy search or
 * multinomial sampling ({@code GenerationMixin._sample}, 4.45), driven through an
 * {@link IncrementalDecoder}.
 *
 * <pre>{@code
 * // transformers: model.generate(input_ids, attention_mask=mask, max_new_tokens=32, streamer=streamer)
 * int[][] sequences = Generator.generate(decoder, ids, mask,
 *         GenerationConfig.builder().maxNewTokens(32).eosTokenId(2).build(), (row, id) -> System.out.print(id + " "));
 * }</pre>
 *
 * <p>What it does, step for step as transformers:
 * <ol>
 *   <li>Prefill: the whole prompt goes to {@link IncrementalDecoder#step} with position ids
 *       {@code cumsum(mask) - 1}, masked positions set to 1 ({@code prepare_inputs_for_generation}).</li>
 *   <li>Each step: the last logits are processed by {@link LogitsProcessorList#fromConfig} (ids so far
 *       as context), then the next token is the argmax ({@code doSample=false}) or a draw from the
 *       softmax; the attention mask grows by a column of 1s; the token goes back to the decoder at
 *       position {@code cumsum(mask) - 1} of the new column, i.e. one past the row's last position.</li>
 *   <li>A row whose token is an eos id is finished: its later tokens are the pad id. Without a
 *       {@code pad_token_id}, the first eos id serves as pad (transformers does the same, with a warning).</li>
 *   <li>Generation stops when every row is finished or the length reaches {@code max_length}
 *       ({@code max_new_tokens + prompt length} when {@code max_new_tokens} is set).</li>
 * </ol>
 *
 * <p>The prompt must be left-padded: every row has the same length and padding sits on the left
 * with mask 0. The generator never closes the decoder.
 */
public final class Generator {
    private static final Logger LOG = LoggerFactory.getLogger(Generator.class);

    private Generator() {}

    /** {@link #generate(IncrementalDecoder, int[][], int[][], GenerationConfig, TokenStreamer)} without a streamer. */
    public static int[][] generate(IncrementalDecoder decoder, int[][] inputIds, int[][] attentionMask,
            GenerationConfig config) {
        return generate(decoder, inputIds, attentionMask, config, (TokenStreamer) null);
    }

    /**
     * Generates, returning {@code sequences}: each prompt (left padding included) followed by its
     * new tokens, all rows of one length, finished rows filled with the pad id.
     *
     * @param decoder       the model with its KV cache, fresh (nothing fed yet)
     * @param inputIds      prompts [batch][len], left-padded to one length
     * @param attentionMask [batch][len], 1 = token, 0 = padding; null infers it as transformers does
     *                      (from the pad id when it occurs in the prompt and differs from eos, else all 1s)
     * @param config        how to generate
     * @param streamer      receives each new token of each unfinished row; null for none
     */
    public static int[][] generate(IncrementalDecoder decoder, int[][] inputIds, int[][] attentionMask,
            GenerationConfig config, TokenStreamer streamer) {
        return generateDetailed(decoder, inputIds, attentionMask, config,
                GenerateOptions.builder().streamer(streamer).build()).sequences();
    }

    /**
     * Generates with the extra arguments of {@code generate()} (user processors and stopping
     * criteria, recorded scores and logits, a streamer, a random generator), returning the
     * sequences with what was asked to be recorded ({@code return_dict_in_generate=True}).
     */
    public static GenerationResult generateDetailed(IncrementalDecoder decoder, int[][] inputIds,
            int[][] attentionMask, GenerationConfig config, GenerateOptions options) {
        if (decoder == null || inputIds == null || config == null || options == null) {
            throw new NullPointerException("decoder, inputIds, config and options must not be null");
        }
        int batch = inputIds.length;
        int promptLength = checkPrompt(inputIds);
        if (config.numBeams() != 1) {
            throw new UnsupportedOperationException("num_beams=" + config.numBeams()
                    + ": beam search is not supported yet; use numBeams(1) (greedy or sampling)");
        }
        List<Integer> eos = config.eosTokenIds();
        Integer pad = config.padTokenId().isPresent() ? Integer.valueOf(config.padTokenId().getAsInt()) : null;
        if (pad == null && !eos.isEmpty()) {
            pad = eos.get(0);
            LOG.warn("Setting pad_token_id to eos_token_id:{} for open-end generation.", pad);
        }
        int[][] mask = attentionMask == null ? inferMask(inputIds, pad, eos) : checkMask(attentionMask, batch, promptLength);
        if (batch > 1) {
            for (int[] m : mask) {
                if (m[promptLength - 1] == 0) {
                    LOG.warn("Right-padding detected in a decoder-only generation: pad prompts on the left"
                            + " (padding_side=\"left\") for correct results.");
                    break;
                }
            }
        }
        int maxLength = config.maxNewTokens().isPresent()
                ? config.maxNewTokens().getAsInt() + promptLength
                : config.maxLength();
        if (config.maxNewTokens().isEmpty() && maxLength == 20) {
            LOG.debug("Using the default max_length (=20, prompt included); set maxNewTokens to control the output length.");
        }
        if (promptLength >= maxLength) {
            throw new IllegalArgumentException("Input length of input_ids is " + promptLength + ", but max_length is set to "
                    + maxLength + "; increase maxLength or, better, set maxNewTokens");
        }
        List<String> ignored = config.ignoredSamplingParameters();
        if (!ignored.isEmpty()) {
            LOG.warn("do_sample is false, so these sampling parameters are ignored: {}", ignored);
        }

        LogitsProcessorList processors = LogitsProcessorList.fromConfig(config, promptLength, options.logitsProcessors());
        List<StoppingCriteria> criteria = new ArrayList<>();
        criteria.add(new MaxLengthCriteria(maxLength));
        boolean eosStopping = !eos.isEmpty();
        if (eosStopping) {
            criteria.add(new EosTokenCriteria(eos));
        }
        criteria.addAll(options.stoppingCriteria());
        RandomGenerator random = !config.doSample() ? null
                : options.random() != null ? options.random() : Sampling.newRandom(config.seed());
        TokenStreamer streamer = options.streamer();

        int[][] sequences = copy(inputIds);
        int[][] positions = new int[batch][promptLength];
        for (int b = 0; b < batch; b++) {
            int cum = 0;
            for (int t = 0; t < promptLength; t++) {
                cum += mask[b][t];
                positions[b][t] = mask[b][t] == 0 ? 1 : cum - 1;
            }
        }
        boolean[] unfinished = new boolean[batch];
        Arrays.fill(unfinished, true);
        List<float[][]> scoresOut = new ArrayList<>();
        List<float[][]> logitsOut = new ArrayList<>();

        float[][] logits = decoder.step(copy(sequences), positions, copy(mask));
        int vocab = -1;
        while (true) {
            vocab = checkLogits(logits, batch, vocab);
            if (options.outputLogits()) {
                logitsOut.add(copy(logits));
            }
            float[][] scores = copy(logits);
            processors.process(sequences, scores);
            if (options.outputScores()) {
                scoresOut.add(copy(scores));
            }

            int[] next = new int[batch];
            for (int b = 0; b < batch; b++) {
                if (!unfinished[b] && eosStopping) {
                    next[b] = pad;
                } else {
                    next[b] = random == null ? Sampling.argmax(scores[b]) : Sampling.sample(scores[b], random);
                }
            }
            sequences = append(sequences, next);
            mask = append(mask, ones(batch));
            if (streamer != null) {
                for (int b = 0; b < batch; b++) {
                    if (unfinished[b]) {
                        streamer.put(b, next[b]);
                    }
                }
            }
            boolean any = false;
            for (StoppingCriteria c : criteria) {
                boolean[] done = c.isDone(sequences, scores);
                if (done == null || done.length != batch) {
                    throw new IllegalStateException("stopping criteria " + c + " returned "
                            + (done == null ? "null" : done.length + " flags") + ", expected " + batch);
                }
                for (int b = 0; b < batch; b++) {
                    unfinished[b] &= !done[b];
                }
            }
            for (boolean u : unfinished) {
                any |= u;
            }
            if (!any) {
                break;
            }
            int[][] stepTokens = new int[batch][1];
            int[][] stepPositions = new int[batch][1];
            for (int b = 0; b < batch; b++) {
                stepTokens[b][0] = next[b];
                int ones = 0;
                for (int m : mask[b]) {
                    ones += m;
                }
                stepPositions[b][0] = ones - 1;
            }
            logits = decoder.step(stepTokens, stepPositions, copy(mask));
        }
        if (streamer != null) {
            streamer.end();
        }
        return new GenerationResult(sequences, promptLength, scoresOut, logitsOut);
    }

    private static int checkPrompt(int[][] inputIds) {
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("inputIds: expected at least one row, found none");
        }
        int len = -1;
        for (int b = 0; b < inputIds.length; b++) {
            int[] row = inputIds[b];
            if (row == null) {
                throw new IllegalArgumentException("inputIds row " + b + " is null");
            }
            if (len < 0) {
                len = row.length;
            } else if (row.length != len) {
                throw new IllegalArgumentException("inputIds: every row must have the same length (left-pad the"
                        + " batch); row 0 has " + len + " tokens, row " + b + " has " + row.length);
            }
            for (int t = 0; t < row.length; t++) {
                if (row[t] < 0) {
                    throw new IllegalArgumentException("inputIds[" + b + "][" + t + "] = " + row[t]
                            + ": expected a token id >= 0");
                }
            }
        }
        if (len == 0) {
            throw new IllegalArgumentException("inputIds: expected at least one token per row (a bos token), found 0");
        }
        return len;
    }

    private static int[][] checkMask(int[][] mask, int batch, int len) {
        if (mask.length != batch) {
            throw new IllegalArgumentException("attentionMask has " + mask.length + " rows, expected " + batch
                    + " (one per inputIds row)");
        }
        for (int b = 0; b < batch; b++) {
            if (mask[b] == null || mask[b].length != len) {
                throw new IllegalArgumentException("attentionMask row " + b + " has "
                        + (mask[b] == null ? "no" : Integer.toString(mask[b].length)) + " entries, expected " + len);
            }
            boolean anyOne = false;
            for (int t = 0; t < len; t++) {
                if (mask[b][t] != 0 && mask[b][t] != 1) {
                    throw new IllegalArgumentException("attentionMask[" + b + "][" + t + "] = " + mask[b][t]
                            + ": expected 0 or 1");
                }
                anyOne |= mask[b][t] == 1;
            }
            if (!anyOne) {
                throw new IllegalArgumentException("attentionMask row " + b + " is all 0: the row has no token to attend to");
            }
        }
        return copy(mask);
    }

    /** transformers' {@code _prepare_attention_mask_for_generation} for token-id inputs. */
    private static int[][] inferMask(int[][] inputIds, Integer pad, List<Integer> eos) {
        int[][] mask = new int[inputIds.length][inputIds[0].length];
        boolean padInInputs = false;
        if (pad != null) {
            for (int[] row : inputIds) {
                for (int id : row) {
                    padInInputs |= id == pad;
                }
            }
        }
        boolean infer = padInInputs && !eos.contains(pad);
        for (int b = 0; b < inputIds.length; b++) {
            for (int t = 0; t < inputIds[b].length; t++) {
                mask[b][t] = infer && inputIds[b][t] == pad ? 0 : 1;
            }
        }
        return mask;
    }

    private static int checkLogits(float[][] logits, int batch, int vocab) {
        if (logits == null || logits.length != batch) {
            throw new IllegalStateException("IncrementalDecoder.step returned "
                    + (logits == null ? "null" : logits.length + " rows") + ", expected " + batch + " rows of logits");
        }
        for (int b = 0; b < batch; b++) {
            int v = logits[b] == null ? 0 : logits[b].length;
            if (v == 0 || (vocab >= 0 && v != vocab)) {
                throw new IllegalStateException("IncrementalDecoder.step returned a logits row " + b + " of length " + v
                        + ", expected " + (vocab >= 0 ? Integer.toString(vocab) : "the vocabulary size (> 0)"));
            }
            vocab = v;
        }
        return vocab;
    }

    private static int[] ones(int n) {
        int[] o = new int[n];
        Arrays.fill(o, 1);
        return o;
    }

    private static int[][] append(int[][] rows, int[] column) {
        int[][] out = new int[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            out[b] = Arrays.copyOf(rows[b], rows[b].length + 1);
            out[b][rows[b].length] = column[b];
        }
        return out;
    }

    private static int[][] copy(int[][] a) {
        int[][] out = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    private static float[][] copy(float[][] a) {
        float[][] out = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}
