package dev.tune4j.tokenizers.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Maps offsets in the (newline-normalized) template source to 1-based line and column. */
final class SourcePositions {
    private final List<Integer> lineStarts = new ArrayList<>();

    SourcePositions(String src) {
        lineStarts.add(0);
        for (int i = 0; i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                lineStarts.add(i + 1);
            }
        }
    }

    TemplateSyntaxException error(String message, int offset) {
        int idx = Collections.binarySearch(lineStarts, offset);
        int line = idx >= 0 ? idx : -idx - 2;
        return new TemplateSyntaxException(message, line + 1, offset - lineStarts.get(line) + 1);
    }
}
