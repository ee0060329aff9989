package dev.tune4j.tensor;

import java.util.Locale;

/**
 * Element types, named as safetensors names them.
 *
 * <p>Half-precision conversions follow IEEE 754 (F16) and torch (BF16): round to nearest, ties
 * to even; NaN stays NaN.
 */
public enum DType {
    F64(8, true), F32(4, true), F16(2, true), BF16(2, true),
    F8_E4M3(1, true), F8_E5M2(1, true),
    I64(8, false), I32(4, false), I16(2, false), I8(1, false),
    U64(8, false), U32(4, false), U16(2, false), U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The name safetensors uses in its header ({@code "F32"}, {@code "BF16"}, ...). */
    public String safetensorsName() {
        return name();
    }

    /**
     * Parses a safetensors dtype name.
     *
     * @throws IllegalArgumentException naming the unknown value and the known ones
     */
    public static DType fromSafetensors(String name) {
        try {
            return DType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown dtype '" + name + "'; expected one of "
                    + java.util.Arrays.toString(values()));
        }
    }

    /** Parses torch-style names too: "float32", "bfloat16", "torch.float16", "fp16". */
    public static DType fromTorchName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("torch.", "");
        return switch (n) {
            case "float32", "float", "fp32" -> F32;
            case "float16", "half", "fp16" -> F16;
            case "bfloat16", "bf16" -> BF16;
            case "float64", "double" -> F64;
            case "int64", "long" -> I64;
            case "int32", "int" -> I32;
            case "uint8" -> U8;
            case "int8" -> I8;
            case "bool" -> BOOL;
            default -> fromSafetensors(name);
        };
    }

    /** The torch name of this dtype, as config.json files spell {@code torch_dtype}. */
    public String torchName() {
        return switch (this) {
            case F64 -> "float64";
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            case I64 -> "int64";
            case I32 -> "int32";
            case I16 -> "int16";
            case I8 -> "int8";
            case U8 -> "uint8";
            case BOOL -> "bool";
            default -> name().toLowerCase(Locale.ROOT);
        };
    }

    /** bfloat16 bits to float: exact (bf16 is the top half of a float). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float to bfloat16 bits, round to nearest even as torch does; NaN maps to a quiet NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb;
        return (short) (rounded >>> 16);
    }

    /** IEEE half bits to float (exact). */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** float to IEEE half bits, round to nearest even. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }
}
