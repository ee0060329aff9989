"""Regenerates the two random differential corpora (fixed seeds, so reruns give the same files):

    python3 generate_jinja2_fuzz.py     # writes jinja2_whitespace_fuzz.jsonl, jinja2_expression_fuzz.jsonl

Whitespace corpus: random nestings of text, {{ }}, {% if/for/set/raw %} and {# #} with every
combination of -, + and plain delimiters, spaces, tabs, CRLF and Unicode spaces around them; this
is where trim_blocks / lstrip_blocks byte differences show up.
Expression corpus: random expressions over literals and variables mixing operators, filters,
tests, string methods, subscripts and slices; checks Python value semantics and printing.

Both are rendered with the transformers environment of generate_jinja2_cases.py, except that
jinja2's optimizer is off: it folds literal-only sub-expressions at compile time with more lenient
rules than run time (e.g. (3.0)[::-1] becomes Undefined instead of raising). Expression cases that
are entirely constant are skipped for the same reason, as are Python complex results.
"""
import json
import random
import re

from generate_jinja2_cases import env

env.optimized = False


def record(name, template, ctx):
    rec = {"name": name, "template": template, "context": ctx}
    try:
        rec["expected"] = env.from_string(template).render(**ctx)
    except Exception as e:
        rec["error_type"] = type(e).__name__
        rec["error"] = str(e)
    return rec


def whitespace_corpus(seed, n):
    rnd = random.Random(seed)
    spaces = ["", " ", "  ", "\t", "\n", "\n\n", " \n", "\n  ", "\r\n", "\u3000", "\u00a0"]
    texts = ["a", "b c", "x.", "{", "}", "#", "%", "-", "+"]

    def mod():
        return rnd.choice(["", "", "-", "+"])

    def ws():
        return rnd.choice(spaces)

    def var():
        e = rnd.choice(["'v'", "1", "x", "none", "[1,2]", "'a\\nb'", "1.5", "x ~ 'y'", "'  p  '|trim"])
        return "{{" + rnd.choice(["", "", "-", "+"]) + ws().replace("\n", " ") + e + " " + rnd.choice(["", "", "-"]) + "}}"

    def comment():
        return "{#" + mod() + " c " + rnd.choice(["", "", "-"]) + "#}"

    def block(depth):
        kind = rnd.choice(["if", "for", "set", "raw", "ifelse"])
        m1, e1, m2, e2 = mod(), mod(), mod(), mod()
        if kind == "if":
            return "{%" + m1 + " if x " + e1 + "%}" + body(depth + 1) + "{%" + m2 + " endif " + e2 + "%}"
        if kind == "ifelse":
            return ("{%" + m1 + " if not x " + e1 + "%}" + body(depth + 1) + "{%" + mod() + " else " + mod() + "%}"
                    + body(depth + 1) + "{%" + m2 + " endif " + e2 + "%}")
        if kind == "for":
            return "{%" + m1 + " for i in [1, 2] " + e1 + "%}" + body(depth + 1) + "{%" + m2 + " endfor " + e2 + "%}"
        if kind == "set":
            return "{%" + m1 + " set y = 1 " + e1 + "%}"
        return ("{%" + m1 + " raw " + rnd.choice(["", "-"]) + "%}" + ws() + "{{ raw }}" + ws()
                + "{%" + m2 + " endraw " + e2 + "%}")

    def body(depth):
        parts = []
        for _ in range(rnd.randint(0, 5)):
            r = rnd.random()
            if r < 0.35:
                parts.append(ws())
            elif r < 0.55:
                parts.append(rnd.choice(texts))
            elif r < 0.7:
                parts.append(var())
            elif r < 0.78:
                parts.append(comment())
            elif depth < 3:
                parts.append(block(depth))
        return "".join(parts)

    for k in range(n):
        t = body(0) + rnd.choice(["", "\n", "\n\n", " "])
        yield record("ws%d" % k, t, {"x": rnd.choice([True, False, "s", 0])})


def expression_corpus(seed, n):
    rnd = random.Random(seed)
    lits = ["0", "1", "-3", "7", "2.5", "0.1", "1e15", "1e-7", "3.0", "'abc'", "'A b C'", "''", "' pad '", "'é日'",
            "none", "true", "false", "[1, 2, 3]", "[]", "['b', 'a', 'C']", "(1, 'x')", "{'k': 1, 'a': [2]}", "{}",
            "x", "y", "s", "l", "d", "nothing"]
    ops = ["+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", ">=", "in", "not in", "and", "or"]
    filters = ["length", "string", "upper", "lower", "trim", "first", "last", "list", "sort", "reverse|list",
               "unique|list", "tojson", "tojson(indent=2)", "int", "float", "abs", "round", "round(1)", "default('D')",
               "default('D', true)", "join(',')", "title", "capitalize", "sum", "min", "max", "items|list", "dictsort",
               "wordcount", "center(9)", "indent(2)", "count", "map('string')|list", "select|list", "reject|list",
               "batch(2)|list", "replace('a', 'X')", "truncate(5)", "format(1)", "safe", "e", "safe|upper",
               "e|trim", "select|length", "unique|first", "reverse|first", "map('string')|join('-')"]
    tests = ["defined", "none", "string", "number", "integer", "float", "mapping", "iterable", "sequence", "boolean",
             "odd", "even", "divisibleby 3", "eq 1", "lt 2", "in [1, 'abc']", "true", "false", "lower", "upper"]
    methods = ["strip()", "upper()", "split()", "split('b')", "startswith('a')", "endswith('c')", "replace('b', 'Z')",
               "find('c')", "title()", "capitalize()", "lstrip('a')", "count('a')", "format(1, 2)", "isdigit()",
               "zfill(5)", "rsplit(' ', 1)"]
    variables = ["x", "y", "s", "l", "d", "nothing"]

    def expr(depth):
        r = rnd.random()
        if depth > 3 or r < 0.3:
            return rnd.choice(lits)
        if r < 0.5:
            return "(" + expr(depth + 1) + " " + rnd.choice(ops) + " " + expr(depth + 1) + ")"
        if r < 0.65:
            return "(" + expr(depth + 1) + "|" + rnd.choice(filters) + ")"
        if r < 0.72:
            return "(" + expr(depth + 1) + " is " + rnd.choice(["", "not "]) + rnd.choice(tests) + ")"
        if r < 0.8:
            return "(" + expr(depth + 1) + ")." + rnd.choice(methods)
        if r < 0.86:
            return rnd.choice(variables) + "[" + rnd.choice(["0", "-1", "1:", ":-1", "::-1", "::2", "'k'", "5", "'b'"]) + "]"
        if r < 0.92:
            return "(" + expr(depth + 1) + " if " + expr(depth + 1) + " else " + expr(depth + 1) + ")"
        if r < 0.96:
            return "(not " + expr(depth + 1) + ")"
        return "(-" + expr(depth + 1) + ")"

    ctx = {"x": 5, "y": 2.5, "s": "Hello World", "l": [3, 1, 2], "d": {"b": 1, "a": 2}}
    k = 0
    while k < n:
        e = expr(0)
        if not re.search(r"\b(x|y|s|l|d|nothing)\b", e.replace("'", " ' ")):
            continue
        rec = record("expr%d" % k, "{{ " + e + " }}", ctx)
        if re.search(r"\dj\)|complex| at 0x", rec.get("expected", "") + rec.get("error", "")):
            continue  # complex numbers are out of scope; generator reprs carry memory addresses
        k += 1
        yield rec


def write(path, records):
    with open(path, "w", encoding="utf-8") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    write("jinja2_whitespace_fuzz.jsonl", whitespace_corpus(1, 500))
    write("jinja2_expression_fuzz.jsonl", expression_corpus(1, 800))
