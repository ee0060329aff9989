package dev.tune4j.backend.cpu;

/** A piece of data-parallel work over the half-open index range {@code [start, end)}. */
@FunctionalInterface
public interface IntRangeConsumer {
    void accept(int start, int end);
}
