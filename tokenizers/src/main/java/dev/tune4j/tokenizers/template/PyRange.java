package dev.tune4j.tokenizers.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's {@code range}: a lazy arithmetic sequence. Loops, {@code |list}, indexing and
 * {@code in} see its numbers; it prints as {@code range(0, 3)}, slices into another range and is
 * not JSON serializable. Length is bounded by the sandbox's {@link Globals#MAX_RANGE}.
 */
record PyRange(long start, long stop, long step) {

    long length() {
        if (step > 0) {
            return stop > start ? (stop - start + step - 1) / step : 0;
        }
        return start > stop ? (start - stop - step - 1) / -step : 0;
    }

    long at(long index) {
        return start + index * step;
    }

    List<Object> items() {
        long n = length();
        List<Object> out = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) {
            out.add(at(i));
        }
        return out;
    }

    /** {@code r[lo:hi:st]}: CPython maps the slice onto the range's own start, stop and step. */
    PyRange slice(Object lo, Object hi, Object st) {
        long n = length();
        long sliceStep = st == null ? 1 : Py.toIndex(st, "slice indices");
        if (sliceStep == 0) {
            throw new TemplateException("ValueError: slice step cannot be zero");
        }
        long first;
        long last;
        if (sliceStep > 0) {
            first = lo == null ? 0 : clamp(Py.toIndex(lo, "slice indices"), n, 0, n);
            last = hi == null ? n : clamp(Py.toIndex(hi, "slice indices"), n, 0, n);
        } else {
            first = lo == null ? n - 1 : clamp(Py.toIndex(lo, "slice indices"), n, -1, n - 1);
            last = hi == null ? -1 : clamp(Py.toIndex(hi, "slice indices"), n, -1, n - 1);
        }
        return new PyRange(at(first), at(last), step * sliceStep);
    }

    private static long clamp(long i, long len, long min, long max) {
        if (i < 0) {
            i += len;
            if (i < 0) {
                return min;
            }
        }
        return Math.min(i, max);
    }

    @Override
    public String toString() {
        return "range(" + start + ", " + stop + (step == 1 ? "" : ", " + step) + ")";
    }
}
