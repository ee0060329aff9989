package dev.tune4j.io.hub;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Python's {@code fnmatch.fnmatch} on POSIX (case-sensitive) and huggingface_hub's
 * {@code filter_repo_objects}. Written here because the JDK's glob matcher differs: its
 * {@code *} stops at '/', while fnmatch's {@code *} matches any characters, '/' included, so
 * {@code "*.json"} selects {@code "sub/x.json"} too, as it does in Python.
 */
final class FnMatch {
    private FnMatch() {}

    /** Whether {@code name} matches the shell-style {@code pattern} ({@code * ? [seq] [!seq]}). */
    static boolean matches(String name, String pattern) {
        return compile(pattern).matcher(name).matches();
    }

    /** The files of {@code names} that match one of {@code allow} (if given) and none of {@code ignore} (if given). */
    static List<String> filter(Collection<String> names, Collection<String> allow, Collection<String> ignore) {
        List<Pattern> a = allow == null ? null : allow.stream().map(FnMatch::compile).toList();
        List<Pattern> i = ignore == null ? null : ignore.stream().map(FnMatch::compile).toList();
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (a != null && a.stream().noneMatch(p -> p.matcher(n).matches())) {
                continue;
            }
            if (i != null && i.stream().anyMatch(p -> p.matcher(n).matches())) {
                continue;
            }
            out.add(n);
        }
        return out;
    }

    /** The regex {@code fnmatch.translate} would build, for Java. */
    static Pattern compile(String pattern) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        int n = pattern.length();
        while (i < n) {
            char c = pattern.charAt(i++);
            if (c == '*') {
                if (re.length() < 2 || !re.substring(re.length() - 2).equals(".*")) {
                    re.append(".*");
                }
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < n && pattern.charAt(j) == '!') {
                    j++;
                }
                if (j < n && pattern.charAt(j) == ']') {
                    j++;
                }
                while (j < n && pattern.charAt(j) != ']') {
                    j++;
                }
                if (j >= n) {
                    re.append("\\[");
                } else {
                    String stuff = pattern.substring(i, j);
                    i = j + 1;
                    re.append(charClass(stuff));
                }
            } else {
                appendLiteral(re, c);
            }
        }
        try {
            return Pattern.compile(re.toString(), Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("file pattern '" + pattern + "' is not valid: " + e.getDescription(), e);
        }
    }

    private static String charClass(String stuff) {
        if (stuff.isEmpty()) {
            return "(?!)"; // Python: an empty range never matches
        }
        if (stuff.equals("!")) {
            return "."; // Python: a lone '!' negates nothing and matches any character
        }
        StringBuilder cls = new StringBuilder("[");
        int k = 0;
        if (stuff.charAt(0) == '!') {
            cls.append('^');
            k = 1;
        }
        for (; k < stuff.length(); k++) {
            char ch = stuff.charAt(k);
            if (ch == '-' || Character.isLetterOrDigit(ch)) {
                cls.append(ch);
            } else {
                cls.append('\\').append(ch);
            }
        }
        return cls.append(']').toString();
    }

    private static void appendLiteral(StringBuilder re, char c) {
        if (Character.isLetterOrDigit(c) || c == '_' || c == '/' || c == '-' || c == ' ') {
            re.append(c);
        } else if (c < 0x80) {
            re.append('\\').append(c);
        } else {
            re.append(Pattern.quote(String.valueOf(c)));
        }
    }
}
