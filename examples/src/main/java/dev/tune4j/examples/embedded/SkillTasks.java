package dev.tune4j.examples.embedded;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The instruction tasks of the embedded default, in English and Chinese, each with an answer that
 * follows a rule a model of a few hundred thousand parameters can learn: reverse three digits,
 * write a digit as a Chinese numeral and back, and name the next number.
 *
 * <p>The pre-training corpus states every task as {@code instruction =>}, a newline and the answer; the instruction
 * dataset wraps the same instructions in the Alpaca prompt ({@code ### Instruction: ... ###
 * Response:}), which the pre-trained model has never seen. Fine-tuning teaches it the format,
 * so exact-match accuracy on held-out instructions goes from about 0 to about 100 percent.
 */
public final class SkillTasks {
    /** Chinese numerals for 0 to 9. */
    public static final List<String> CHINESE_DIGITS = List.of("零", "一", "二", "三", "四", "五", "六", "七", "八", "九");

    private SkillTasks() {}

    /** One instruction and its answer. */
    public record Task(String instruction, String output) {
        /** The record in Alpaca format ({@code instruction}, {@code input}, {@code output}). */
        public Map<String, Object> toAlpaca() {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("instruction", instruction);
            row.put("input", "");
            row.put("output", output);
            return row;
        }
    }

    /** Every task once, in a fixed order: all 1000 three-digit reversals and the 30 digit facts. */
    public static List<Task> all() {
        List<Task> out = new ArrayList<>();
        for (int n = 0; n < 1000; n++) {
            int a = n / 100;
            int b = n / 10 % 10;
            int c = n % 10;
            if ((a + b + c) % 2 == 0) {
                out.add(new Task("Reverse the digits " + a + " " + b + " " + c, c + " " + b + " " + a));
            } else {
                out.add(new Task("倒序 " + a + " " + b + " " + c, c + " " + b + " " + a));
            }
        }
        for (int d = 0; d < 10; d++) {
            out.add(new Task("用中文数字写 " + d, CHINESE_DIGITS.get(d)));
            out.add(new Task("把 " + CHINESE_DIGITS.get(d) + " 写成阿拉伯数字", Integer.toString(d)));
            if (d < 9) {
                out.add(new Task("What number comes after " + d + "?", Integer.toString(d + 1)));
            }
        }
        return out;
    }

    /**
     * A sample of {@code size} tasks drawn without replacement, seeded: the digit facts are always
     * in (they are few), the rest are reversals; the order is shuffled.
     */
    public static List<Task> sample(int size, long seed) {
        List<Task> tasks = all();
        List<Task> reversals = new ArrayList<>(tasks.subList(0, 1000));
        List<Task> out = new ArrayList<>(tasks.subList(1000, tasks.size()));
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = reversals.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Task t = reversals.get(i);
            reversals.set(i, reversals.get(j));
            reversals.set(j, t);
        }
        out.addAll(reversals.subList(0, Math.min(reversals.size(), Math.max(0, size - out.size()))));
        for (int i = out.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            Task t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }
}
