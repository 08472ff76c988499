"""Keep the text of each notebook in a second language next to the one source of its code.

    python tools/translations.py template ru NOTEBOOK   (re)write i18n/ru/NOTEBOOK.md
    python tools/translations.py check ru             what is missing, stale or altered

The notebooks in ``solutions/lecture02/`` are the one source: code, tests and the English text.
The text of another edition lives in ``i18n/<language>/<notebook>.md``, one block per markdown
cell of the source and one per code cell with comments or messages, in the source's order::

    <!-- cell cell-000 en:3f2a9c1d0b7e -->
    # 02. Экспоненциальное скользящее среднее (exponential moving average)
    ...

    <!-- code ema-ema-inputs-test en:8d1e0c7a5b42 -->
    ```python
    # Проверяет, что ema не меняет свой аргумент `values` (возвращает новый массив).
    ...
    ```

``cell-000`` is the cell's id, ``en:…`` the first 12 hex digits of the SHA-256 of the English
text the block translates. A code block is the cell itself with its comments and the text of
its messages translated; :func:`code_differences` proves that nothing else changed (the same
tokens, the same expressions inside f-strings, the same nbgrader ``###`` markers), so the code
is still written once. When the English cell changes, its hash changes and ``check`` calls
the translation stale until someone updates the text and the hash (``template`` refreshes the
hashes of cells whose English did not change and shows the new English of those that did).

A translation keeps what is not prose exactly as the source has it: every ``$…$`` formula and
every ``code span`` (:func:`untranslatable`), so that an edition never teaches another formula.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE = REPO_ROOT / "solutions" / "lecture02"
I18N = REPO_ROOT / "i18n"
LANGUAGES = ("ru",)

_BLOCK = re.compile(r"^<!-- (cell|code) (\S+) en:([0-9a-f]{12}) -->\n", re.MULTILINE)
_TODO = "TODO: translate the English below, then delete this line.\n\n"
_CODE_TODO = "# TODO: translate the comments and messages below, then delete this line.\n"
_FENCE = re.compile(r"\A```python\n(.*)\n```\Z", re.DOTALL)
# a string or comment worth translating: two words of Latin letters
_PROSE = re.compile(r"[A-Za-z]{2,}[ ,.:;!?-]+[A-Za-z]{2,}")


def english_hash(text: str) -> str:
    """The first 12 hex digits of the SHA-256 of an English cell's text."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Block:
    """One cell's text in one language: ``kind`` is "cell" (markdown) or "code"."""

    kind: str
    cell_id: str
    english_hash: str
    text: str


def has_prose(code: str) -> bool:
    """Whether a code cell has a comment or a message a reader would want translated."""
    return any(
        (t.type == tokenize.COMMENT and not t.string.startswith("###")
         or t.type == tokenize.STRING) and _PROSE.search(t.string)
        for t in _tokens(code)
    )


def source_blocks(notebook: str) -> list[Block]:
    """The English blocks of a source notebook: every markdown cell and every code cell with
    prose (:func:`has_prose`), in order."""
    path = SOURCE / f"{notebook}.ipynb"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in SOURCE.glob("*.ipynb")))
        raise FileNotFoundError(f"notebook={notebook!r}: no {path}; the notebooks are: {known}")
    nb = nbformat.read(path, as_version=4)
    return [
        Block("cell" if c.cell_type == "markdown" else "code", c["id"],
              english_hash(c.source), c.source)
        for c in nb.cells
        if c.cell_type == "markdown" or c.cell_type == "code" and has_prose(c.source)
    ]


def _tokens(code: str) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(code + "\n").readline))


def _fstring_parts(literal: str) -> list[str]:
    """The expressions, conversions and format specs inside one string literal, in order."""
    node = ast.parse(literal.lstrip(), mode="eval").body
    if not isinstance(node, ast.JoinedStr):
        return []
    return [ast.dump(v) for v in node.values if isinstance(v, ast.FormattedValue)]


def code_skeleton(code: str) -> tuple[list[tuple], list[str]]:
    """What a translation of a code cell must keep: its tokens with comments left out and each
    run of adjacent string literals reduced to the f-string expressions it holds, and its
    nbgrader ``###`` comments."""
    skeleton: list[tuple] = []
    markers = []
    for t in _tokens(code):
        if t.type == tokenize.COMMENT:
            if t.string.startswith("###"):
                markers.append(t.string.rstrip())
            continue
        if t.type == tokenize.NL:
            continue
        if t.type == tokenize.STRING:
            parts = _fstring_parts(t.string)
            if skeleton and skeleton[-1][0] == "STRING":
                skeleton[-1] = ("STRING", skeleton[-1][1] + parts)
            else:
                skeleton.append(("STRING", parts))
            continue
        same_text = t.type not in (tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE)
        skeleton.append((tokenize.tok_name[t.type], t.string if same_text else ""))
    return skeleton, markers


def code_differences(english: str, translated: str) -> list[str]:
    """How a translated code cell differs from its English source in anything but prose."""
    try:
        mine, my_markers = code_skeleton(translated)
    except (SyntaxError, tokenize.TokenError) as e:
        return [f"it is no longer valid Python ({e})"]
    theirs, their_markers = code_skeleton(english)
    found = []
    if my_markers != their_markers:
        found.append(f"its ### markers differ: {my_markers} instead of {their_markers}")
    if mine != theirs:
        at = next((i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b),
                  min(len(mine), len(theirs)))
        found.append("its code differs from the English, not only its comments and messages "
                     f"(token {at}: {mine[at] if at < len(mine) else 'end'} instead of "
                     f"{theirs[at] if at < len(theirs) else 'end'})")
    return found


def read_translation(path: Path) -> list[Block]:
    """The blocks of a translation file, in the file's order."""
    content = path.read_text(encoding="utf-8")
    heads = list(_BLOCK.finditer(content))
    if content.strip() and (not heads or content[: heads[0].start()].strip()):
        raise ValueError(f"{path}: text before the first '<!-- cell ID en:HASH -->' line")
    blocks = []
    for i, m in enumerate(heads):
        text = content[m.end(): heads[i + 1].start() if i + 1 < len(heads) else len(content)]
        text = text.rstrip("\n")
        if m.group(1) == "code":
            fenced = _FENCE.match(text)
            if fenced is None:
                raise ValueError(f"{path}: the code block of {m.group(2)} is not one "
                                 "```python ... ``` fence")
            text = fenced.group(1)
        blocks.append(Block(m.group(1), m.group(2), m.group(3), text))
    return blocks


def write_translation(path: Path, blocks: list[Block]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n\n".join(f"<!-- {b.kind} {b.cell_id} en:{b.english_hash} -->\n"
                     + (f"```python\n{b.text}\n```" if b.kind == "code" else b.text)
                     for b in blocks)
        + "\n",
        encoding="utf-8",
    )


def untranslatable(text: str) -> Counter:
    """Formulas and code spans of a markdown text: what every translation keeps as it is."""
    without_fences = re.sub(r"```.*?```", lambda m: "\0", text, flags=re.DOTALL)
    fences = re.findall(r"```.*?```", text, flags=re.DOTALL)
    spans = re.findall(r"\$\$.+?\$\$|\$[^$]+?\$|`[^`]+`", without_fences, flags=re.DOTALL)
    return Counter(fences + spans)


def problems(language: str, notebook: str) -> list[str]:
    """What is missing, stale, unknown or altered in one notebook's translation."""
    path = I18N / language / f"{notebook}.md"
    if not path.exists():
        return [f"{path.relative_to(REPO_ROOT)}: missing (python tools/translations.py "
                f"template {language} {notebook})"]
    source = source_blocks(notebook)
    blocks = read_translation(path)
    where = path.relative_to(REPO_ROOT)
    found = []
    by_id = {b.cell_id: b for b in blocks}
    if [b.cell_id for b in blocks] != [e.cell_id for e in source if e.cell_id in by_id]:
        found.append(f"{where}: blocks are not in the notebook's order")
    for english in source:
        block = by_id.get(english.cell_id)
        name = f"{english.kind} {english.cell_id}"
        if block is None or block.kind != english.kind:
            found.append(f"{where}: {name} has no translation")
            continue
        if block.english_hash != english.english_hash:
            found.append(f"{where}: {name} is stale: its English changed since it was "
                         "translated (update the text, then run template to refresh the hash)")
        if block.text.lstrip("# ").startswith("TODO") or not block.text.strip():
            found.append(f"{where}: {name} is not translated yet")
            continue
        if block.kind == "code":
            found += [f"{where}: {name}: {d}" for d in code_differences(english.text, block.text)]
            continue
        lost = untranslatable(english.text) - untranslatable(block.text)
        added = untranslatable(block.text) - untranslatable(english.text)
        if lost or added:
            found.append(f"{where}: {name} changes formulas or code: "
                         f"missing {sorted(lost)}, not in the English {sorted(added)}")
    known = {e.cell_id for e in source}
    found += [f"{where}: block for {b.cell_id}, which is no cell of {notebook} with text"
              for b in blocks if b.cell_id not in known]
    return found


def template(language: str, notebook: str) -> Path:
    """Write the translation file with a block per cell; keep every text already translated."""
    path = I18N / language / f"{notebook}.md"
    old = {b.cell_id: b for b in read_translation(path)} if path.exists() else {}
    blocks = []
    for english in source_blocks(notebook):
        block = old.get(english.cell_id)
        if block is None or block.kind != english.kind:
            todo = _CODE_TODO if english.kind == "code" else _TODO
            blocks.append(Block(english.kind, english.cell_id, english.english_hash,
                                todo + english.text))
        elif block.english_hash == english.english_hash or block.text.lstrip("# ").startswith(
                "TODO"):
            blocks.append(Block(english.kind, english.cell_id, english.english_hash, block.text))
        else:  # stale: keep the old hash, so that check keeps saying so, and show the English
            now = "".join(f"\n# | {line}" for line in english.text.splitlines())
            shown = (f"\n# the English now reads:{now}" if english.kind == "code"
                     else f"\n\n<!-- the English now reads:\n{english.text}\n-->")
            blocks.append(Block(english.kind, english.cell_id, block.english_hash,
                                block.text + shown))
    write_translation(path, blocks)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("template", help="write or refresh one notebook's translation file")
    t.add_argument("language", choices=LANGUAGES)
    t.add_argument("notebook", help="e.g. 02_moving_average")
    c = sub.add_parser("check", help="report what is missing, stale or altered")
    c.add_argument("language", choices=LANGUAGES)
    c.add_argument("notebooks", nargs="*", help="default: every notebook")
    args = parser.parse_args(argv)
    if args.command == "template":
        print(template(args.language, args.notebook).relative_to(REPO_ROOT))
        return 0
    notebooks = args.notebooks or sorted(p.stem for p in SOURCE.glob("*.ipynb"))
    found = [p for nb in notebooks for p in problems(args.language, nb)]
    print("\n".join(found) if found else f"{args.language}: every cell translated and current")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
