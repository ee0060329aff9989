package dev.tune4j.io.safetensors;

import java.util.Comparator;

/**
 * Orders strings by Unicode code point, which is the order of their UTF-8 bytes: how Rust sorts
 * {@code String}s (safetensors' key order and serializer) and how Python sorts {@code str}
 * ({@code json.dumps(sort_keys=True)}). {@link String#compareTo} compares UTF-16 units instead,
 * which differs once characters outside the Basic Multilingual Plane meet ones above U+E000.
 */
final class CodePointOrder implements Comparator<String> {
    static final CodePointOrder INSTANCE = new CodePointOrder();

    private CodePointOrder() {}

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
