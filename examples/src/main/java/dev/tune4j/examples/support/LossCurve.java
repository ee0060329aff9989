package dev.tune4j.examples.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loss curves from a Trainer's {@code logHistory}, drawn as an SVG line chart. Written by hand
 * because an SVG polyline is a few lines of text and a charting library would be the examples'
 * largest dependency.
 */
public final class LossCurve {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

    private final Map<String, List<double[]>> series = new LinkedHashMap<>();

    /** Adds the (step, loss) points of one training run under {@code name}. */
    public LossCurve add(String name, List<Map<String, Object>> logHistory) {
        List<double[]> pts = new ArrayList<>();
        for (Map<String, Object> row : logHistory) {
            if (row.get("loss") instanceof Number loss && row.get("step") instanceof Number step) {
                pts.add(new double[] {step.doubleValue(), loss.doubleValue()});
            }
        }
        series.put(name, pts);
        return this;
    }

    /** The points added under {@code name} as (step, loss) pairs. */
    public List<double[]> points(String name) {
        return series.getOrDefault(name, List.of());
    }

    /** The SVG document. */
    public String toSvg() {
        int w = 640;
        int h = 400;
        int left = 60;
        int right = 20;
        int top = 30;
        int bottom = 50;
        double maxStep = 1;
        double maxLoss = 0;
        for (List<double[]> pts : series.values()) {
            for (double[] p : pts) {
                maxStep = Math.max(maxStep, p[0]);
                maxLoss = Math.max(maxLoss, p[1]);
            }
        }
        maxLoss = maxLoss <= 0 ? 1 : maxLoss * 1.05;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">training loss</text>%n", left));
        int x0 = left;
        int y0 = h - bottom;
        int x1 = w - right;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", x0, y0, x1, y0));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", x0, top, x0, y0));
        for (int i = 0; i <= 4; i++) {
            double v = maxLoss * i / 4;
            double y = y0 - (y0 - top) * (v / maxLoss);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n", x0 - 6, y + 4, v));
            double s = maxStep * i / 4;
            double x = x0 + (x1 - x0) * (s / maxStep);
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x, y0 + 18, s));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step</text>%n", (x0 + x1) / 2, h - 10));
        int k = 0;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            String color = COLORS[k % COLORS.length];
            StringBuilder poly = new StringBuilder();
            for (double[] p : e.getValue()) {
                double x = x0 + (x1 - x0) * (p[0] / maxStep);
                double y = y0 - (y0 - top) * (p[1] / maxLoss);
                poly.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    color, poly.toString().trim()));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\" text-anchor=\"end\">%s</text>%n",
                    x1, top + 16 * (k + 1), color, escape(e.getKey())));
            k++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** Writes the SVG to {@code file} (temp file in the same folder, then rename). */
    public void write(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, toSvg(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the loss curve " + file, e);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
