package dev.tune4j.benchmarks.matmul;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary JMH results: work done per second, read directly as GFLOP/s and GB/s of weights
 * streamed (JMH divides these counters by the measured time).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Rates {
    /** Billions of floating-point operations (2 per multiply-add). */
    public double gflop;
    /** Gigabytes of weights read. */
    public double weightGB;

    @Setup(Level.Iteration)
    public void reset() {
        gflop = 0;
        weightGB = 0;
    }

    void add(long m, long n, long k, long weightBytes) {
        gflop += 2e-9 * m * n * k;
        weightGB += 1e-9 * weightBytes;
    }
}
