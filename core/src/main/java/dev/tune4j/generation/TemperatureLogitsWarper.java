package dev.tune4j.generation;

/**
 * Divides every score by the temperature; transformers' {@code TemperatureLogitsWarper}
 * ({@code scores / temperature}). The division is in float32 by the temperature rounded to float32,
 * which is what torch does for a float32 tensor divided by a Python float, so results are
 * bit-identical to transformers'.
 */
public final class TemperatureLogitsWarper implements LogitsProcessor {
    private final double temperature;
    private final float divisor;

    /** @param temperature strictly positive; below 1 sharpens, above 1 flattens the distribution */
    public TemperatureLogitsWarper(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature (=" + temperature + ") has to be a strictly positive"
                    + " float; for greedy decoding set doSample(false) instead");
        }
        this.temperature = temperature;
        this.divisor = (float) temperature;
    }

    @Override
    public void process(int[][] inputIds, float[][] scores) {
        for (float[] row : scores) {
            for (int i = 0; i < row.length; i++) {
                row[i] = row[i] / divisor;
            }
        }
    }

    /** The temperature. */
    public double temperature() {
        return temperature;
    }

    @Override
    public String toString() {
        return "TemperatureLogitsWarper(temperature=" + dev.tune4j.io.PythonJson.floatRepr(temperature) + ")";
    }
}
