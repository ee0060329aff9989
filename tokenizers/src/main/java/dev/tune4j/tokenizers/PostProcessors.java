package dev.tune4j.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The post-processor components of tokenizer.json. */
final class PostProcessors {
    private PostProcessors() {}

    /** One item of a template: a special token or one of the sequences A/B. */
    record Piece(boolean special, String id, int typeId) {}

    /** A special token of a template: its name, ids and token strings. */
    record SpecialToken(String id, int[] ids, String[] tokens) {}

    static Encoding specialEncoding(int[] ids, String[] tokens, int typeId) {
        Encoding e = new Encoding(ids.length);
        for (int i = 0; i < ids.length; i++) {
            e.ids[i] = ids[i];
            e.tokens[i] = tokens[i];
            e.typeIds[i] = typeId;
            e.specialTokensMask[i] = 1;
        }
        return e;
    }

    record Template(List<Piece> single, List<Piece> pair, Map<String, SpecialToken> specials) implements PostProcessor {
        @Override
        public int addedTokens(boolean isPair) {
            int n = 0;
            for (Piece p : isPair ? pair : single) {
                if (p.special()) {
                    n += specials.get(p.id()).ids().length;
                }
            }
            return n;
        }

        @Override
        public List<Encoding> processEncodings(List<Encoding> encodings, boolean addSpecialTokens) {
            List<Piece> template = encodings.size() == 2 ? pair : single;
            List<Encoding> out = new ArrayList<>();
            for (Piece p : template) {
                if (p.special()) {
                    if (addSpecialTokens) {
                        SpecialToken st = specials.get(p.id());
                        out.add(specialEncoding(st.ids(), st.tokens(), p.typeId()));
                    }
                } else {
                    int i = "A".equals(p.id()) ? 0 : 1;
                    Encoding e = encodings.get(i);
                    e.setTypeIds(p.typeId());
                    e.setSequenceId(i);
                    out.add(e.copy());
                }
            }
            return out;
        }
    }

    /** {@code [CLS] A [SEP] (B [SEP])}. */
    record Bert(String sepToken, int sepId, String clsToken, int clsId) implements PostProcessor {
        @Override
        public int addedTokens(boolean isPair) {
            return isPair ? 3 : 2;
        }

        @Override
        public List<Encoding> processEncodings(List<Encoding> encodings, boolean addSpecialTokens) {
            if (!addSpecialTokens) {
                return encodings;
            }
            List<Encoding> out = new ArrayList<>();
            for (int i = 0; i < encodings.size(); i++) {
                Encoding e = encodings.get(i);
                out.add(wrap(e, i));
            }
            return out;
        }

        private Encoding wrap(Encoding e, int i) {
            List<Encoding> parts = new ArrayList<>();
            if (i == 0) {
                parts.add(specialEncoding(new int[] {clsId}, new String[] {clsToken}, 0));
            }
            Encoding c = e.copy();
            List<Encoding> over = new ArrayList<>();
            for (Encoding o : c.overflowing) over.add(wrap(o, i));
            c.overflowing = new ArrayList<>();
            c.setTypeIds(i);
            parts.add(c);
            parts.add(specialEncoding(new int[] {sepId}, new String[] {sepToken}, i));
            Encoding m = Encoding.merge(parts);
            m.overflowing = over;
            m.setSequenceId(-1);
            for (int k = 0; k < m.specialTokensMask.length; k++) {
                if (m.specialTokensMask[k] == 0) m.sequenceIds[k] = i;
            }
            return m;
        }
    }

    /** {@code <s> A </s> (</s> B </s>)}, with optional offset trimming. */
    record Roberta(String sepToken, int sepId, String clsToken, int clsId, boolean trimOffsets, boolean addPrefixSpace)
            implements PostProcessor {
        @Override
        public int addedTokens(boolean isPair) {
            return isPair ? 4 : 2;
        }

        @Override
        public List<Encoding> processEncodings(List<Encoding> encodings, boolean addSpecialTokens) {
            if (trimOffsets) {
                for (Encoding e : encodings) {
                    ByteLevel.processOffsets(e, addPrefixSpace);
                    for (Encoding o : e.overflowing) ByteLevel.processOffsets(o, addPrefixSpace);
                }
            }
            for (Encoding e : encodings) e.setTypeIds(0);
            if (!addSpecialTokens) {
                return encodings;
            }
            List<Encoding> out = new ArrayList<>();
            for (int i = 0; i < encodings.size(); i++) out.add(wrap(encodings.get(i), i));
            return out;
        }

        private Encoding wrap(Encoding e, int i) {
            List<Encoding> parts = new ArrayList<>();
            if (i == 0) {
                parts.add(specialEncoding(new int[] {clsId}, new String[] {clsToken}, 0));
            } else {
                parts.add(specialEncoding(new int[] {sepId}, new String[] {sepToken}, 0));
            }
            Encoding c = e.copy();
            List<Encoding> over = new ArrayList<>();
            for (Encoding o : c.overflowing) over.add(wrap(o, i));
            c.overflowing = new ArrayList<>();
            parts.add(c);
            parts.add(specialEncoding(new int[] {sepId}, new String[] {sepToken}, 0));
            Encoding m = Encoding.merge(parts);
            m.overflowing = over;
            m.setSequenceId(-1);
            for (int k = 0; k < m.specialTokensMask.length; k++) {
                if (m.specialTokensMask[k] == 0) m.sequenceIds[k] = i;
            }
            return m;
        }
    }

    /** Trims the offsets of byte-level tokens so they exclude surrounding spaces. */
    record ByteLevel(boolean trimOffsets, boolean addPrefixSpace) implements PostProcessor {
        @Override
        public int addedTokens(boolean isPair) {
            return 0;
        }

        @Override
        public List<Encoding> processEncodings(List<Encoding> encodings, boolean addSpecialTokens) {
            if (trimOffsets) {
                for (Encoding e : encodings) {
                    processOffsets(e, addPrefixSpace);
                    for (Encoding o : e.overflowing) processOffsets(o, addPrefixSpace);
                }
            }
            for (int i = 0; i < encodings.size(); i++) encodings.get(i).setSequenceId(i);
            return encodings;
        }

        static void processOffsets(Encoding e, boolean addPrefixSpace) {
            char g = ByteMap.BYTE_TO_CHAR[' '];
            for (int i = 0; i < e.tokens.length; i++) {
                String t = e.tokens[i];
                int[] cps = t.codePoints().toArray();
                int leading = 0;
                while (leading < cps.length && (cps[leading] == g || Chars.isWhitespace(cps[leading]))) leading++;
                int trailing = 0;
                while (trailing < cps.length
                        && (cps[cps.length - 1 - trailing] == g || Chars.isWhitespace(cps[cps.length - 1 - trailing]))) {
                    trailing++;
                }
                int[] off = {e.offsets[2 * i], e.offsets[2 * i + 1]};
                if (leading > 0 || trailing > 0) {
                    if (leading > 0) {
                        boolean isFirst = i == 0 || off[0] == 0;
                        if (isFirst && addPrefixSpace && leading == 1) {
                            leading = 0;
                        }
                        off[0] = Math.min(off[0] + leading, off[1]);
                    }
                    if (trailing > 0 && off[1] >= trailing) {
                        off[1] = Math.max(off[1] - trailing, off[0]);
                    }
                    e.offsets[2 * i] = off[0];
                    e.offsets[2 * i + 1] = off[1];
                }
            }
        }
    }

    record Sequence(List<PostProcessor> processors) implements PostProcessor {
        @Override
        public int addedTokens(boolean isPair) {
            int n = 0;
            for (PostProcessor p : processors) n += p.addedTokens(isPair);
            return n;
        }

        @Override
        public List<Encoding> processEncodings(List<Encoding> encodings, boolean addSpecialTokens) {
            List<Encoding> e = encodings;
            for (PostProcessor p : processors) e = p.processEncodings(e, addSpecialTokens);
            return e;
        }
    }
}
