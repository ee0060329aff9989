package dev.tune4j.backend.cpu;

/** The error function, through Commons Math (exact GELU needs erf; the JDK has none). */
final class Erf {
    private Erf() {}

    static double erf(double x) {
        return org.apache.commons.math3.special.Erf.erf(x);
    }
}
