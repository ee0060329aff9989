package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.List;

/** The decoder components of tokenizer.json. */
final class Decoders {
    private Decoders() {}

    /** Maps GPT-2 byte characters back to bytes and decodes UTF-8 lossily, as one string. */
    record ByteLevel() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            int total = 0;
            for (String t : tokens) total += t.length() * 3;
            byte[] buf = new byte[total];
            int w = 0;
            for (String t : tokens) {
                boolean all = true;
                for (int i = 0; i < t.length(); i++) {
                    char c = t.charAt(i);
                    if (c >= ByteMap.CHAR_TO_BYTE.length || ByteMap.CHAR_TO_BYTE[c] < 0) {
                        all = false;
                        break;
                    }
                }
                if (all) {
                    for (int i = 0; i < t.length(); i++) buf[w++] = (byte) ByteMap.CHAR_TO_BYTE[t.charAt(i)];
                } else {
                    byte[] b = Chars.utf8(t);
                    System.arraycopy(b, 0, buf, w, b.length);
                    w += b.length;
                }
            }
            return List.of(Chars.decodeLossy(buf, w));
        }
    }

    record Metaspace(int replacement, boolean prependFirst) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                StringBuilder sb = new StringBuilder(t.length());
                for (int k = 0; k < t.length(); ) {
                    int c = t.codePointAt(k);
                    k += Character.charCount(c);
                    if (c == replacement) {
                        if (!(i == 0 && prependFirst)) {
                            sb.append(' ');
                        }
                    } else {
                        sb.appendCodePoint(c);
                    }
                }
                out.add(sb.toString());
            }
            return out;
        }
    }

    record ByteFallback() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            byte[] bytes = new byte[16];
            int nb = 0;
            for (String t : tokens) {
                int b = -1;
                if (t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                    b = hexByte(t.charAt(3), t.charAt(4));
                }
                if (b >= 0) {
                    if (nb == bytes.length) bytes = java.util.Arrays.copyOf(bytes, nb * 2);
                    bytes[nb++] = (byte) b;
                } else {
                    nb = flush(out, bytes, nb);
                    out.add(t);
                }
            }
            flush(out, bytes, nb);
            return out;
        }

        private static int flush(List<String> out, byte[] bytes, int nb) {
            if (nb > 0) {
                String s = Chars.decodeLossy(bytes, nb);
                boolean valid = s.indexOf('\uFFFD') < 0 || validUtf8(bytes, nb);
                if (valid) {
                    out.add(s);
                } else {
                    for (int i = 0; i < nb; i++) out.add("\uFFFD");
                }
            }
            return 0;
        }

        private static boolean validUtf8(byte[] b, int n) {
            try {
                java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(b, 0, n));
                return true;
            } catch (java.nio.charset.CharacterCodingException e) {
                return false;
            }
        }

        private static int hexByte(char a, char b) {
            int x = Character.digit(a, 16);
            int y = Character.digit(b, 16);
            return x < 0 || y < 0 ? -1 : x * 16 + y;
        }
    }

    record Fuse() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    record Strip(int content, int start, int stop) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int[] cps = t.codePoints().toArray();
                int startCut = 0;
                for (int i = 0; i < Math.min(start, cps.length); i++) {
                    if (cps[i] == content) {
                        startCut = i + 1;
                    } else {
                        break;
                    }
                }
                int stopCut = cps.length;
                for (int i = 0; i < stop; i++) {
                    int index = cps.length - i - 1;
                    if (index < 0) {
                        break;
                    }
                    if (cps[index] == content) {
                        stopCut = index;
                    } else {
                        break;
                    }
                }
                out.add(startCut >= stopCut ? "" : new String(cps, startCut, stopCut - startCut));
            }
            return out;
        }
    }

    record Replace(Pattern pattern, String content) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                StringBuilder sb = new StringBuilder(t.length());
                for (int[] m : pattern.findMatches(t)) {
                    if (m[2] == 1) {
                        sb.append(content);
                    } else {
                        sb.append(t, m[0], m[1]);
                    }
                }
                out.add(sb.toString());
            }
            return out;
        }
    }

    record WordPiece(String prefix, boolean cleanup) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (i != 0) {
                    if (t.startsWith(prefix)) {
                        t = t.substring(prefix.length());
                    } else {
                        t = " " + t;
                    }
                }
                if (cleanup) {
                    t = cleanupSpaces(t);
                }
                out.add(t);
            }
            return out;
        }
    }

    /** transformers' {@code clean_up_tokenization}. */
    static String cleanupSpaces(String t) {
        return t.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't")
                .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }

    record Bpe(String suffix) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
            }
            return out;
        }
    }

    record Ctc(String padToken, String wordDelimiterToken, boolean cleanup) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>();
            String prev = null;
            for (String t : tokens) {
                if (t.equals(prev)) {
                    continue;
                }
                prev = t;
                String r = t.replace(padToken, "");
                if (cleanup) {
                    r = cleanupSpaces(r).replace(wordDelimiterToken, " ");
                }
                if (!r.isEmpty()) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    record Sequence(List<Decoder> decoders) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> t = tokens;
            for (Decoder d : decoders) t = d.decodeChain(t);
            return t;
        }
    }
}
