package dev.tune4j.data.formats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Alpaca records: {@code instruction}, optional {@code input}, {@code output}, and optionally a
 * {@code system} prompt and a {@code history} of earlier {@code [user, assistant]} turns, as
 * LLaMA-Factory reads them.
 *
 * <p>The user turn is the instruction and the input joined by a newline (the input is left out
 * when empty); the assistant turn is the output. Column names can be remapped, as
 * LLaMA-Factory's {@code dataset_info.json} {@code columns} does.
 *
 * <pre>{@code
 * // {"instruction": "Translate", "input": "bonjour", "output": "hello"}
 * // -> [{role: user, content: "Translate\nbonjour"}, {role: assistant, content: "hello"}]
 * List<Map<String, Object>> msgs = AlpacaFormat.DEFAULT.toMessages(row, 0);
 * }</pre>
 */
public record AlpacaFormat(String instruction, String input, String output, String system, String history)
        implements RecordFormat {
    /** The standard column names: instruction, input, output, system, history. */
    public static final AlpacaFormat DEFAULT = new AlpacaFormat("instruction", "input", "output", "system", "history");

    /**
     * @param instruction the instruction column
     * @param input the input column, or null when the dataset has none
     * @param output the output column
     * @param system the system-prompt column, or null
     * @param history the history column, or null
     */
    public AlpacaFormat {
        Objects.requireNonNull(instruction, "instruction column");
        Objects.requireNonNull(output, "output column");
    }

    @Override
    public String name() {
        return "alpaca";
    }

    @Override
    public List<Map<String, Object>> toMessages(Map<String, ?> row, int rowIndex) {
        List<Map<String, Object>> out = new ArrayList<>();
        String sys = Fields.optionalString(row, system, rowIndex);
        if (!sys.isEmpty()) {
            out.add(Fields.message("system", sys));
        }
        if (history != null && row.get(history) != null) {
            List<?> turns = Fields.requiredList(row, history, rowIndex);
            for (int t = 0; t < turns.size(); t++) {
                if (!(turns.get(t) instanceof List<?> pair) || pair.size() != 2
                        || !(pair.get(0) instanceof String u) || !(pair.get(1) instanceof String a)) {
                    throw new IllegalArgumentException("row " + rowIndex + " field '" + history + "'[" + t
                            + "]: expected a [user, assistant] pair of texts, found " + turns.get(t));
                }
                out.add(Fields.message("user", u));
                out.add(Fields.message("assistant", a));
            }
        }
        PromptCompletion pc = toPromptCompletion(row, rowIndex);
        out.add(Fields.message("user", pc.prompt()));
        out.add(Fields.message("assistant", pc.completion()));
        return out;
    }

    /** The prompt is instruction and input joined by a newline; system and history are not included. */
    @Override
    public PromptCompletion toPromptCompletion(Map<String, ?> row, int rowIndex) {
        String ins = Fields.requiredString(row, instruction, rowIndex);
        String in = Fields.optionalString(row, input, rowIndex);
        String out = Fields.requiredString(row, output, rowIndex);
        String prompt = ins.isEmpty() ? in : in.isEmpty() ? ins : ins + "\n" + in;
        return new PromptCompletion(prompt, out);
    }
}
