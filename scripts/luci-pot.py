#!/usr/bin/env python3
"""luci-app/po/templates/routerha.pot from the translatable strings of luci-app-routerha's JavaScript.

LuCI's JS translates with _('text'), _('text', 'context') and N_(count, 'singular', 'plural'[, 'context']); a string
argument may be a concatenation of literals ('a' + "b"). Like LuCI's i18n-scan this reads the sources as tokens
(comments, strings, template and regex literals are skipped, so `_(` inside them is not a call) and writes every
msgid once, sorted, with its file:line references.

Usage: scripts/luci-pot.py [--app DIR]          rewrite the template (DIR: the app, default luci-app/)
       scripts/luci-pot.py [--app DIR] --check  exit 1 (and say what differs) when the template is not up to date
"""
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "luci-app")
HEADER = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n'

# After these, a '/' starts a regular expression literal rather than a division.
REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^")
REGEX_AFTER_WORDS = {"return", "typeof", "case", "do", "else", "in", "of", "void", "new", "delete", "throw"}


class Source:
    def __init__(self, path, text):
        self.path, self.text, self.pos = path, text, 0

    def line(self, pos):
        return self.text.count("\n", 0, pos) + 1

    def fail(self, pos, message):
        raise SystemExit(f"luci-pot: {self.path}:{self.line(pos)}: {message}")


def unescape(src, start, body):
    """The value of a JS string literal body (between its quotes)."""
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif n == "u" and body[i + 2] == "{":
            end = body.index("}", i)
            out.append(chr(int(body[i + 3:end], 16)))
            i = end + 1
        elif n == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif n == "\n":
            i += 2
        else:
            out.append(n)
            i += 2
    return "".join(out)


def tokens(src):
    """(kind, value, pos): 'name', 'str' (value unescaped; None for a template with ${}), 'punct'."""
    t, i, n = src.text, 0, len(src.text)
    prev = None
    while i < n:
        c = t[i]
        if c.isspace():
            i += 1
        elif t.startswith("//", i):
            i = t.find("\n", i)
            i = n if i < 0 else i
        elif t.startswith("/*", i):
            end = t.find("*/", i + 2)
            if end < 0:
                src.fail(i, "unterminated comment")
            i = end + 2
        elif c in "'\"`":
            j = i + 1
            while j < n and t[j] != c:
                if t[j] == "\\":
                    j += 1
                elif c != "`" and t[j] == "\n":
                    src.fail(i, "unterminated string")
                j += 1
            if j >= n:
                src.fail(i, "unterminated string")
            body = t[i + 1:j]
            value = None if c == "`" and "${" in body else unescape(src, i, body)
            prev = ("str", value, i)
            yield prev
            i = j + 1
        elif c == "/" and (prev is None or (prev[0] == "punct" and prev[1] in REGEX_AFTER)
                           or (prev[0] == "name" and prev[1] in REGEX_AFTER_WORDS)):
            j, in_class = i + 1, False
            while j < n and (in_class or t[j] != "/"):
                if t[j] == "\\":
                    j += 1
                elif t[j] == "[":
                    in_class = True
                elif t[j] == "]":
                    in_class = False
                elif t[j] == "\n":
                    src.fail(i, "unterminated regular expression")
                j += 1
            prev = ("regex", None, i)
            i = j + 1
        elif c.isalnum() or c in "_$":
            j = i
            while j < n and (t[j].isalnum() or t[j] in "_$"):
                j += 1
            prev = ("name", t[i:j], i)
            yield prev
            i = j
        else:
            prev = ("punct", c, i)
            yield prev
            i += 1


def calls(src):
    """(context, msgid, plural, line) for each _() / N_() call with literal arguments."""
    toks = list(tokens(src))
    for k, (kind, value, pos) in enumerate(toks):
        if kind != "name" or value not in ("_", "N_"):
            continue
        if k + 1 >= len(toks) or toks[k + 1][1] != "(":
            continue
        if k > 0 and toks[k - 1][0] == "punct" and toks[k - 1][1] == ".":
            continue  # obj._(...) is somebody else's method
        args, cur, depth, j = [], [], 0, k + 2
        while j < len(toks):
            tk = toks[j]
            if tk[0] == "punct" and tk[1] in "([{":
                depth += 1
            elif tk[0] == "punct" and tk[1] in ")]}":
                if depth == 0:
                    break
                depth -= 1
            if depth == 0 and tk[0] == "punct" and tk[1] == ",":
                args.append(cur)
                cur = []
            else:
                cur.append(tk)
            j += 1
        args.append(cur)

        def literal(arg):
            # 'a' + 'b' + ... only; anything else is a computed string nobody can translate ahead.
            if not arg or len(arg) % 2 == 0:
                return None
            parts = []
            for m, tk in enumerate(arg):
                if m % 2 == 0 and tk[0] == "str" and tk[1] is not None:
                    parts.append(tk[1])
                elif m % 2 == 1 and tk[0] == "punct" and tk[1] == "+":
                    continue
                else:
                    return None
            return "".join(parts)

        texts = [literal(a) for a in args]
        line = src.line(pos)
        if value == "_":
            if not texts or texts[0] is None:
                continue  # a computed string (e.g. a variable): translated at run time if somebody listed it
            ctx = texts[1] if len(texts) > 1 else None
            yield ctx, texts[0], None, line
        else:
            if len(texts) < 3 or texts[1] is None or texts[2] is None:
                continue
            ctx = texts[3] if len(texts) > 3 else None
            yield ctx, texts[1], texts[2], line


def po_string(s):
    escaped = s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    if "\n" not in escaped:
        return f'"{escaped}"'
    # Like xgettext: an empty first line, then one line per source line.
    lines = escaped.split("\n")
    parts = [f'"{line}\\n"' for line in lines[:-1]] + ([f'"{lines[-1]}"'] if lines[-1] else [])
    return '""\n' + "\n".join(parts)


def generate():
    entries = {}
    for base, dirs, files in os.walk(os.path.join(ROOT, "htdocs")):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".js"):
                continue
            path = os.path.join(base, name)
            rel = os.path.relpath(path, ROOT)
            with open(path, encoding="utf-8") as f:
                src = Source(rel, f.read())
            for ctx, msgid, plural, line in calls(src):
                if msgid == "":
                    continue
                entry = entries.setdefault((ctx or "", msgid), {"plural": plural, "refs": []})
                if plural is not None:
                    entry["plural"] = plural
                entry["refs"].append(f"{rel}:{line}")
    out = [HEADER]
    for (ctx, msgid), entry in sorted(entries.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        block = [f"#: {ref}" for ref in entry["refs"]]
        if ctx:
            block.append(f"msgctxt {po_string(ctx)}")
        block.append(f"msgid {po_string(msgid)}")
        if entry["plural"] is not None:
            block.append(f"msgid_plural {po_string(entry['plural'])}")
            block += ['msgstr[0] ""', 'msgstr[1] ""']
        else:
            block.append('msgstr ""')
        out.append("\n".join(block) + "\n")
    return "\n".join(out), len(entries)


def main():
    global ROOT
    args = sys.argv[1:]
    if args[:1] == ["--app"] and len(args) >= 2:
        ROOT, args = args[1], args[2:]
    pot = os.path.join(ROOT, "po", "templates", "routerha.pot")
    text, count = generate()
    if args == ["--check"]:
        try:
            with open(pot, encoding="utf-8") as f:
                committed = f.read()
        except FileNotFoundError:
            committed = ""
        if committed != text:
            old, new = set(committed.splitlines()), set(text.splitlines())
            missing = sorted(line for line in new - old if line.startswith("msgid"))
            stale = sorted(line for line in old - new if line.startswith("msgid"))
            print(f"luci-pot: {pot} is not up to date with the views: run scripts/luci-pot.py", file=sys.stderr)
            for line in missing[:20]:
                print(f"  missing: {line}", file=sys.stderr)
            for line in stale[:20]:
                print(f"  stale:   {line}", file=sys.stderr)
            return 1
        print(f"{pot}: up to date, {count} strings")
        return 0
    if args:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(os.path.dirname(pot), exist_ok=True)
    with open(pot, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{pot}: {count} strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
