package dev.tune4j.data;

import java.util.List;

/** Conversions of feature values (int[], long[], lists of integers, integers) to ints. */
final class Ids {
    private Ids() {}

    static boolean isSequence(Object v) {
        return v instanceof int[] || v instanceof long[] || v instanceof short[] || v instanceof List<?>;
    }

    /** A token sequence as a fresh int[]; {@code what} names it in errors. */
    static int[] toIntArray(Object v, String what) {
        if (v instanceof int[] a) {
            return a.clone();
        }
        if (v instanceof long[] a) {
            int[] out = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = narrow(a[i], what, i);
            }
            return out;
        }
        if (v instanceof short[] a) {
            int[] out = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        }
        if (v instanceof List<?> list) {
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = toInt(list.get(i), what + "[" + i + "]");
            }
            return out;
        }
        throw new IllegalArgumentException(what + ": expected a sequence of integer ids (int[], long[] or List),"
                + " found " + describe(v));
    }

    static int toInt(Object v, String what) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).intValue();
        }
        if (v instanceof Long l) {
            return narrow(l, what, -1);
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException(what + ": expected an integer, found " + describe(v));
    }

    private static int narrow(long l, String what, int index) {
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + (index >= 0 ? "[" + index + "]" : "")
                    + ": " + l + " does not fit an int token id");
        }
        return (int) l;
    }

    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String s = String.valueOf(v);
        if (s.length() > 60) {
            s = s.substring(0, 57) + "...";
        }
        return s + " (" + v.getClass().getSimpleName() + ")";
    }

    /** Pads {@code row} with {@code pad} to {@code length} on {@code side}. */
    static int[] pad(int[] row, int length, int pad, PaddingSide side) {
        if (row.length >= length) {
            return row;
        }
        int[] out = new int[length];
        int diff = length - row.length;
        if (side == PaddingSide.RIGHT) {
            System.arraycopy(row, 0, out, 0, row.length);
            java.util.Arrays.fill(out, row.length, length, pad);
        } else {
            java.util.Arrays.fill(out, 0, diff, pad);
            System.arraycopy(row, 0, out, diff, row.length);
        }
        return out;
    }

    /** {@code length} rounded up to a multiple of {@code multiple} (null: unchanged). */
    static int roundUp(int length, Integer multiple) {
        if (multiple == null || length % multiple == 0) {
            return length;
        }
        return (length / multiple + 1) * multiple;
    }
}
