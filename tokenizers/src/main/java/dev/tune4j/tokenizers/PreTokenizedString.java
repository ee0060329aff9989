package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** The input cut into pieces, some already turned into tokens (added tokens), as the reference. */
final class PreTokenizedString {
    final String original;
    List<NormalizedString> pieces = new ArrayList<>();
    /** Parallel to {@link #pieces}: the tokens of a piece once known, else null. */
    List<List<Token>> tokens = new ArrayList<>();

    PreTokenizedString(String original) {
        this.original = original;
    }

    void add(NormalizedString ns, List<Token> toks) {
        pieces.add(ns);
        tokens.add(toks);
    }

    /** Replaces every untokenized piece by what {@code fn} returns, dropping empty results. */
    void split(Function<NormalizedString, List<NormalizedString>> fn) {
        List<NormalizedString> np = new ArrayList<>(pieces.size() * 2);
        List<List<Token>> nt = new ArrayList<>(pieces.size() * 2);
        for (int i = 0; i < pieces.size(); i++) {
            if (tokens.get(i) != null) {
                np.add(pieces.get(i));
                nt.add(tokens.get(i));
                continue;
            }
            for (NormalizedString s : fn.apply(pieces.get(i))) {
                if (!s.isEmpty()) {
                    np.add(s);
                    nt.add(null);
                }
            }
        }
        pieces = np;
        tokens = nt;
    }

    void normalize(Consumer<NormalizedString> fn) {
        for (int i = 0; i < pieces.size(); i++) {
            if (tokens.get(i) == null) {
                fn.accept(pieces.get(i));
            }
        }
    }
}
