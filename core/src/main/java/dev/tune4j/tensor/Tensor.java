package dev.tune4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense, row-major n-dimensional array.
 *
 * <p>Two storages: F32 values on the heap ({@code float[]}, what activations and trainable
 * parameters use), or little-endian bytes of any {@link DType} in a {@link MemorySegment}
 * (memory-mapped checkpoint weights, integer tensors, half-precision data). Kernels read either.
 * Tensors are immutable in shape; heap data may be written in place by the backend.
 *
 * <pre>{@code
 * Tensor logits = model.forward(ids, null, null).logits();   // [batch, seq, vocab]
 * float[] flat = logits.toFloatArray();
 * }</pre>
 */
public final class Tensor {
    /** Little-endian layouts for reading segment storage. */
    public static final ValueLayout.OfFloat LE_FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfShort LE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt LE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfDouble LE_DOUBLE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;
    private final int[] shape;
    private final long numel;
    private final float[] data;
    private final MemorySegment segment;
    // Autograd: the op that produced this tensor, or where a leaf's gradient goes. Both null for
    // constants. Set only through withGradFn / withGradSink, which return a new view.
    private final dev.tune4j.autograd.Node gradFn;
    private final dev.tune4j.autograd.GradSink gradSink;

    private Tensor(DType dtype, int[] shape, float[] data, MemorySegment segment) {
        this(dtype, shape, data, segment, null, null);
    }

    private Tensor(DType dtype, int[] shape, float[] data, MemorySegment segment,
                   dev.tune4j.autograd.Node gradFn, dev.tune4j.autograd.GradSink gradSink) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.numel = numel(shape);
        this.data = data;
        this.segment = segment;
        this.gradFn = gradFn;
        this.gradSink = gradSink;
    }

    /** Whether gradients flow back through this tensor (an op output on the tape, or a trained leaf). */
    public boolean requiresGrad() {
        return gradFn != null || gradSink != null;
    }

    /** The op that produced this tensor, or null. */
    public dev.tune4j.autograd.Node gradFn() {
        return gradFn;
    }

    /** Where the gradient of this leaf goes, or null. */
    public dev.tune4j.autograd.GradSink gradSink() {
        return gradSink;
    }

    /** The same values as an op output recorded by {@code node}. */
    public Tensor withGradFn(dev.tune4j.autograd.Node node) {
        return new Tensor(dtype, shape, data, segment, node, null);
    }

    /** The same values as a leaf whose gradient is handed to {@code sink}. */
    public Tensor withGradSink(dev.tune4j.autograd.GradSink sink) {
        return new Tensor(dtype, shape, data, segment, null, sink);
    }

    /** The same values, cut from the tape (torch's detach). */
    public Tensor detach() {
        return gradFn == null && gradSink == null ? this : new Tensor(dtype, shape, data, segment, null, null);
    }

    /** Wraps (does not copy) F32 heap values. */
    public static Tensor of(float[] data, int... shape) {
        if (numel(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + numel(shape)
                    + " elements but the array has " + data.length);
        }
        return new Tensor(DType.F32, shape, data, null);
    }

    /** A zero-filled F32 heap tensor. */
    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("heap tensor too large: " + Arrays.toString(shape));
        }
        return new Tensor(DType.F32, shape, new float[(int) n], null);
    }

    /** Wraps little-endian bytes of {@code dtype} (memory-mapped or heap-backed) without copying. */
    public static Tensor wrap(MemorySegment segment, DType dtype, int... shape) {
        long expected = numel(shape) * dtype.byteSize();
        if (segment.byteSize() != expected) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + expected + " bytes but the segment has " + segment.byteSize());
        }
        return new Tensor(dtype, shape, null, segment);
    }

    /** An I64 tensor holding {@code values} (little-endian, heap-backed). */
    public static Tensor ofLongs(long[] values, int... shape) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 8]);
        for (int i = 0; i < values.length; i++) {
            seg.setAtIndex(LE_LONG, i, values[i]);
        }
        return wrap(seg, DType.I64, shape);
    }

    /** An I64 tensor from a rectangular int matrix, shaped [rows, cols]. */
    public static Tensor ofLongs(int[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        long[] flat = new long[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != cols) {
                throw new IllegalArgumentException("ragged rows: row 0 has " + cols + ", row " + r + " has " + rows[r].length);
            }
            for (int c = 0; c < cols; c++) {
                flat[r * cols + c] = rows[r][c];
            }
        }
        return ofLongs(flat, rows.length, cols);
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public long numel() {
        return numel;
    }

    /** True when the values live in a heap {@code float[]}. */
    public boolean isHeapF32() {
        return data != null;
    }

    /** The backing F32 array, without copying; only for heap F32 tensors. */
    public float[] data() {
        if (data == null) {
            throw new IllegalStateException("tensor of " + dtype + " is stored in a memory segment; use toFloatArray()");
        }
        return data;
    }

    /** The backing segment for segment-stored tensors, or a view of the heap array otherwise. */
    public MemorySegment segment() {
        return segment != null ? segment : MemorySegment.ofArray(data);
    }

    /** A row-major F32 copy of all values, converting from the stored dtype. */
    public float[] toFloatArray() {
        if (data != null) {
            return data.clone();
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor too large for a float[]: " + Arrays.toString(shape));
        }
        float[] out = new float[(int) numel];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(i);
        }
        return out;
    }

    /** The values as longs (integer dtypes, or floats truncated toward zero). */
    public long[] toLongArray() {
        long[] out = new long[Math.toIntExact(numel)];
        for (int i = 0; i < out.length; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /** This tensor as an F32 heap tensor: itself when it already is one, else a converted copy. */
    public Tensor toF32() {
        return data != null ? this : Tensor.of(toFloatArray(), shape);
    }

    /** Element at a flat row-major index, converted to float. */
    public float getFloat(long i) {
        if (data != null) {
            return data[Math.toIntExact(i)];
        }
        return switch (dtype) {
            case F32 -> segment.getAtIndex(LE_FLOAT, i);
            case F16 -> DType.f16ToFloat(segment.getAtIndex(LE_SHORT, i));
            case BF16 -> DType.bf16ToFloat(segment.getAtIndex(LE_SHORT, i));
            case F64 -> (float) segment.getAtIndex(LE_DOUBLE, i);
            case F8_E4M3 -> Fp8.e4m3ToFloat(segment.get(ValueLayout.JAVA_BYTE, i));
            case F8_E5M2 -> Fp8.e5m2ToFloat(segment.get(ValueLayout.JAVA_BYTE, i));
            default -> (float) getLong(i);
        };
    }

    /** Element at a flat index as a long (integer dtypes exactly; floats truncated). */
    public long getLong(long i) {
        if (data != null) {
            return (long) data[Math.toIntExact(i)];
        }
        return switch (dtype) {
            case I64, U64 -> segment.getAtIndex(LE_LONG, i);
            case I32 -> segment.getAtIndex(LE_INT, i);
            case U32 -> Integer.toUnsignedLong(segment.getAtIndex(LE_INT, i));
            case I16 -> segment.getAtIndex(LE_SHORT, i);
            case U16 -> Short.toUnsignedInt(segment.getAtIndex(LE_SHORT, i));
            case I8 -> segment.get(ValueLayout.JAVA_BYTE, i);
            case U8, BOOL -> Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, i));
            default -> (long) getFloat(i);
        };
    }

    /** Same storage, new shape with the same element count; one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            s[infer] = known == 0 ? 0 : (int) (numel / known);
        }
        if (numel(s) != numel) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(dtype, s, data, segment, gradFn, gradSink);
    }

    /**
     * Converts to {@code target} into a new heap-backed tensor (little-endian bytes; F32 stays a
     * float[]).
     */
    public Tensor to(DType target) {
        if (target == DType.F32) {
            return toF32();
        }
        if (target == dtype && segment != null) {
            return this;
        }
        long n = numel;
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(n * target.byteSize())]);
        for (long i = 0; i < n; i++) {
            switch (target) {
                case F16 -> out.setAtIndex(LE_SHORT, i, DType.floatToF16(getFloat(i)));
                case BF16 -> out.setAtIndex(LE_SHORT, i, DType.floatToBf16(getFloat(i)));
                case F64 -> out.setAtIndex(LE_DOUBLE, i, getFloat(i));
                case I64 -> out.setAtIndex(LE_LONG, i, getLong(i));
                case I32 -> out.setAtIndex(LE_INT, i, (int) getLong(i));
                case U8, I8, BOOL -> out.set(ValueLayout.JAVA_BYTE, i, (byte) getLong(i));
                default -> throw new UnsupportedOperationException("conversion to " + target);
            }
        }
        return wrap(out, target, shape);
    }

    /** Number of elements of a shape (1 for a scalar shape). */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype + ", " + Arrays.toString(shape) + (data != null ? ", heap" : ", segment") + ")";
    }
}
