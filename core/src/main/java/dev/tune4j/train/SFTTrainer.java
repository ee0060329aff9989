package dev.tune4j.train;

import dev.tune4j.data.Batch;
import dev.tune4j.data.ChatTokenization;
import dev.tune4j.data.DataCollator;
import dev.tune4j.data.DataCollatorForSeq2Seq;
import dev.tune4j.data.Dataset;
import dev.tune4j.data.Packing;
import dev.tune4j.data.PaddingSide;
import dev.tune4j.data.SupervisedExample;
import dev.tune4j.data.formats.PromptCompletion;
import dev.tune4j.data.formats.RecordFormat;
import dev.tune4j.data.formats.RecordFormats;
import dev.tune4j.models.CausalLM;
import dev.tune4j.tokenizers.PretrainedTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * trl's SFTTrainer: takes raw records (text, prompt/completion, alpaca, sharegpt or messages),
 * tokenizes them (conversations through the tokenizer's chat template), optionally packs them,
 * and trains with the {@link Trainer} loop.
 *
 * <pre>{@code
 * var sft = new SFTTrainer(model, SFTConfig.builder(args).maxLength(512).packing(true).build(),
 *         Dataset.fromJsonl(Path.of("chat.jsonl")), null, tokenizer);
 * sft.train();
 * }</pre>
 */
public class SFTTrainer extends Trainer {
    public SFTTrainer(CausalLM model, SFTConfig config, Dataset trainDataset, Dataset evalDataset,
                      PretrainedTokenizer tokenizer) {
        super(model, config.args(), prepare(trainDataset, config, tokenizer), prepare(evalDataset, config, tokenizer),
                collator(config, tokenizer));
    }

    /** Tokenizes (and packs) a raw dataset as SFTTrainer does before training. */
    public static Dataset prepare(Dataset raw, SFTConfig config, PretrainedTokenizer tok) {
        if (raw == null) {
            return null;
        }
        if (raw.size() == 0) {
            throw new IllegalArgumentException("the dataset is empty");
        }
        List<String> cols = raw.columnNames();
        List<SupervisedExample> examples = new ArrayList<>();
        if (cols.contains("input_ids")) {
            for (int i = 0; i < raw.size(); i++) {
                Map<String, Object> row = raw.get(i);
                int[] ids = ints(row.get("input_ids"), i, "input_ids");
                int[] labels = row.containsKey("labels") ? ints(row.get("labels"), i, "labels") : ids.clone();
                if (labels.length != ids.length) {
                    throw new IllegalArgumentException("row " + i + ": labels has " + labels.length
                            + " entries but input_ids has " + ids.length);
                }
                examples.add(new SupervisedExample(ids, labels));
            }
        } else if (cols.contains(config.datasetTextField()) && !cols.contains("messages") && !cols.contains("conversations")) {
            for (int i = 0; i < raw.size(); i++) {
                Object text = raw.get(i).get(config.datasetTextField());
                if (!(text instanceof String s)) {
                    throw new IllegalArgumentException("row " + i + ": field '" + config.datasetTextField()
                            + "' should be a string but is " + text);
                }
                examples.add(ChatTokenization.text(tok, s, config.maxLength(), config.addEos()));
            }
        } else {
            RecordFormat format = RecordFormats.detect(cols);
            boolean promptCompletion = "prompt_completion".equals(format.name());
            boolean completionOnly = config.completionOnlyLoss() == null || config.completionOnlyLoss();
            for (int i = 0; i < raw.size(); i++) {
                Map<String, Object> row = raw.get(i);
                if (promptCompletion) {
                    PromptCompletion pc = format.toPromptCompletion(row, i);
                    examples.add(ChatTokenization.promptCompletion(tok, pc.prompt(), pc.completion(), config.maxLength(),
                            completionOnly, config.addEos()));
                } else {
                    examples.add(ChatTokenization.messages(tok, format.toMessages(row, i), config.maxLength(),
                            config.assistantOnlyLoss() || completionOnly));
                }
            }
        }
        if (config.packing()) {
            return Packing.pack(examples, config.maxLength(), config.packingStrategy());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SupervisedExample e : examples) {
            rows.add(e.toFeatures());
        }
        return Dataset.fromList(rows);
    }

    private static int[] ints(Object v, int row, String field) {
        if (v instanceof int[] a) {
            return a;
        }
        if (v instanceof List<?> l) {
            int[] out = new int[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Number n)) {
                    throw new IllegalArgumentException("row " + row + ": " + field + "[" + i + "] is not a number: " + l.get(i));
                }
                out[i] = n.intValue();
            }
            return out;
        }
        throw new IllegalArgumentException("row " + row + ": field '" + field + "' should be a list of ids but is " + v);
    }

    private static DataCollator collator(SFTConfig config, PretrainedTokenizer tok) {
        int pad = tok.padTokenId().or(tok::eosTokenId).orElseThrow(() -> new IllegalArgumentException(
                "the tokenizer has neither a pad nor an eos token to pad batches with"));
        DataCollatorForSeq2Seq base = DataCollatorForSeq2Seq.builder(pad)
                .paddingSide("left".equals(tok.paddingSide()) && !config.packing() ? PaddingSide.LEFT : PaddingSide.RIGHT)
                .build();
        if (!config.packing()) {
            return base;
        }
        // Packed rows: no attention mask (documents are told apart by position ids restarting at 0);
        // padding gets positions counting on from 0, labels -100.
        return features -> {
            List<Map<String, Object>> plain = new ArrayList<>();
            int longest = 0;
            for (Object f : features) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) f);
                longest = Math.max(longest, ((List<?>) m.get("input_ids")).size());
                plain.add(m);
            }
            List<Object> positions = new ArrayList<>();
            for (Map<String, Object> m : plain) {
                positions.add(m.remove("position_ids"));
            }
            Batch b = base.collate(plain);
            int[][] pos = new int[plain.size()][longest];
            for (int r = 0; r < plain.size(); r++) {
                List<?> p = (List<?>) positions.get(r);
                for (int t = 0; t < longest; t++) {
                    pos[r][t] = t < p.size() ? ((Number) p.get(t)).intValue() : t - p.size();
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("input_ids", b.inputIds());
            out.put("labels", b.labels().orElseThrow());
            out.put("position_ids", pos);
            return new Batch(out);
        };
    }
}
