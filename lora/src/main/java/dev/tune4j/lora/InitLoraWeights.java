package dev.tune4j.lora;

import java.util.Locale;

/**
 * peft's {@code init_lora_weights}: how a new adapter starts. In adapter_config.json it is a
 * boolean or a string, and this type keeps that spelling.
 *
 * <ul>
 *   <li>{@link #DEFAULT} ({@code true}): A kaiming-uniform as torch's {@code nn.Linear} default
 *       ({@code a=sqrt(5)}, bound {@code 1/sqrt(in)}), B zeros, so the adapter starts as a no-op.</li>
 *   <li>{@link #GAUSSIAN} ({@code "gaussian"}): A from N(0, 1/r), B zeros.</li>
 *   <li>{@link #RANDOM} ({@code false}): A and B both kaiming-uniform (a non-zero start, for tests).</li>
 *   <li>{@link #PISSA} ({@code "pissa"}, or {@code "pissa_niter_N"}): A and B from the top-r singular
 *       triplets of W, which then holds the residual {@code W - s B A}.</li>
 *   <li>{@link #OLORA} ({@code "olora"}): A and B from the QR decomposition of W, residual as for PiSSA.</li>
 * </ul>
 *
 * @param value the JSON spelling: {@code "true"}, {@code "false"} or the string value
 */
public record InitLoraWeights(String value) {
    /** {@code init_lora_weights=True}, peft's default. */
    public static final InitLoraWeights DEFAULT = new InitLoraWeights("true");
    /** {@code init_lora_weights=False}. */
    public static final InitLoraWeights RANDOM = new InitLoraWeights("false");
    /** {@code init_lora_weights="gaussian"}. */
    public static final InitLoraWeights GAUSSIAN = new InitLoraWeights("gaussian");
    /** {@code init_lora_weights="pissa"}. */
    public static final InitLoraWeights PISSA = new InitLoraWeights("pissa");
    /** {@code init_lora_weights="olora"}. */
    public static final InitLoraWeights OLORA = new InitLoraWeights("olora");

    /** Checks the spelling against the values peft accepts. */
    public InitLoraWeights {
        if (value == null) {
            throw new IllegalArgumentException("init_lora_weights must not be null");
        }
        String v = value.toLowerCase(Locale.ROOT);
        boolean ok = v.equals("true") || v.equals("false") || v.equals("gaussian") || v.equals("pissa")
                || v.equals("olora") || v.equals("loftq") || v.matches("pissa_niter_\\d+");
        if (!ok) {
            throw new IllegalArgumentException("init_lora_weights must be true, false, \"gaussian\", \"pissa\", "
                    + "\"pissa_niter_N\", \"olora\" or \"loftq\", got \"" + value + "\"");
        }
    }

    /** {@code init_lora_weights="pissa_niter_N"}: peft's randomized SVD; tune4j computes the exact SVD. */
    public static InitLoraWeights pissaNiter(int niter) {
        return new InitLoraWeights("pissa_niter_" + niter);
    }

    /** The boolean forms: {@code true} or {@code false}. */
    public static InitLoraWeights of(boolean b) {
        return b ? DEFAULT : RANDOM;
    }

    /** True when the JSON form is a boolean rather than a string. */
    public boolean isBoolean() {
        return value.equals("true") || value.equals("false");
    }

    /** True for the PiSSA variants ({@code "pissa"}, {@code "pissa_niter_N"}). */
    public boolean isPissa() {
        return value.toLowerCase(Locale.ROOT).startsWith("pissa");
    }

    /** True for {@code "olora"}. */
    public boolean isOlora() {
        return value.equalsIgnoreCase("olora");
    }

    /** True when the init reads (and rewrites) the base weight, as PiSSA and OLoRA do. */
    public boolean mutatesBaseWeight() {
        return isPissa() || isOlora() || value.equalsIgnoreCase("loftq");
    }
}
