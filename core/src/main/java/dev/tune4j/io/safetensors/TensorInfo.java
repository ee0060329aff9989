package dev.tune4j.io.safetensors;

import dev.tune4j.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One header entry of a safetensors file: what {@code safe_open(...).get_slice(name)} reports
 * ({@code get_dtype()}, {@code get_shape()}) plus where the bytes are.
 *
 * @param name  the tensor's key
 * @param dtype element type
 * @param shape dimensions, row-major (a copy is kept and returned)
 * @param begin first byte, relative to the start of the data section (the header's
 *              {@code data_offsets[0]})
 * @param end   one past the last byte, relative to the data section ({@code data_offsets[1]})
 */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of data bytes, {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    /** Number of elements (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + ", " + dtype + ", " + Arrays.toString(shape)
                + ", data_offsets=[" + begin + ", " + end + "]]";
    }
}
