package dev.tune4j.tokenizers;

/** GPT-2's reversible map between bytes and printable characters. */
final class ByteMap {
    private ByteMap() {}

    static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by character (all below 0x144); -1 where a character is not in the map. */
    static final int[] CHAR_TO_BYTE = new int[0x200];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }
}
