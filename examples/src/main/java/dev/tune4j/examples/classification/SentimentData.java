package dev.tune4j.examples.classification;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small sentiment dataset made for the example: short reviews in English and Chinese built from
 * templates, subjects and opinion words, labelled positive or negative by the opinion word.
 */
public final class SentimentData {
    static final List<String> POSITIVE = List.of("great", "wonderful", "excellent", "lovely", "fun", "amazing");
    static final List<String> NEGATIVE = List.of("terrible", "boring", "awful", "bad", "dull", "horrible");
    static final List<String> POSITIVE_ZH = List.of("很好", "精彩", "很棒", "有趣");
    static final List<String> NEGATIVE_ZH = List.of("很差", "无聊", "糟糕", "难看");
    static final List<String> SUBJECTS = List.of("the movie", "the food", "the book", "this phone", "the service", "the game");
    static final List<String> SUBJECTS_ZH = List.of("这部电影", "这本书", "这家饭店", "这个游戏");

    private SentimentData() {}

    /** One review and whether it is positive. */
    public record Review(String text, boolean positive) {}

    /** {@code n} reviews, seeded, about half of each label. */
    public static List<Review> generate(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Review> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean positive = rnd.nextBoolean();
            if (rnd.nextInt(3) == 0) {
                String s = pick(SUBJECTS_ZH, rnd);
                String w = pick(positive ? POSITIVE_ZH : NEGATIVE_ZH, rnd);
                out.add(new Review(rnd.nextBoolean() ? s + w + "。" : "我觉得" + s + w + "。", positive));
            } else {
                String s = pick(SUBJECTS, rnd);
                String w = pick(positive ? POSITIVE : NEGATIVE, rnd);
                out.add(new Review(switch (rnd.nextInt(3)) {
                    case 0 -> s + " was " + w + ".";
                    case 1 -> "I found " + s + " " + w + ".";
                    default -> "Honestly, " + s + " is " + w + ".";
                }, positive));
            }
        }
        return out;
    }

    private static String pick(List<String> xs, SplittableRandom rnd) {
        return xs.get(rnd.nextInt(xs.size()));
    }
}
