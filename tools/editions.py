"""Build the source notebooks of another language's edition from the one English source.

    python tools/editions.py build ru     write solutions/lecture02_ru/ (then: make release)
    python tools/editions.py check ru     exit 1 if solutions/lecture02_ru/ is not what build writes

``solutions/lecture02/`` holds the code (answers, tests, hidden tests) and the English text;
``i18n/ru/`` the Russian text of every markdown cell and of every code cell's comments and
messages (tools/translations.py). The build puts them together: every cell keeps its id, type,
nbgrader metadata and points, every code cell its code (tools/translations.py proves that a
translated code cell differs only in comments and messages), and the setup cell (the first
code cell) gains one line, ``set_language("ru")``, so that ``course_utils`` speaks Russian too.
The result is committed next to the English source, and nbgrader releases it as its own
assignment, ``lecture02_ru``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import translations  # noqa: E402  (tools/ is no package)

REPO_ROOT = translations.REPO_ROOT
SOURCE = translations.SOURCE
def edition_dir(language: str) -> Path:
    """Where the edition's source notebooks live (its nbgrader assignment)."""
    return SOURCE.parent / f"{SOURCE.name}_{language}"


def with_language(setup: str, language: str) -> str:
    """The setup cell's code with ``set_language`` imported among the other ``course_utils``
    imports (in isort's order) and called just before the seed is set (every setup cell ends
    that way)."""
    lines = setup.splitlines(keepends=True)
    imports = [node for node in ast.parse(setup).body if isinstance(node, ast.ImportFrom)
               and (node.module or "").startswith("course_utils")]
    seed = [i for i, ln in enumerate(lines) if ln.startswith("rng = seed_everything(")]
    if not imports or not seed:
        raise ValueError("the setup cell (the first code cell) must import from course_utils "
                         "and set `rng = seed_everything(...)`; found:\n" + setup)
    lines.insert(seed[0], f'set_language("{language}")\n')
    before = [node for node in imports if node.module < "course_utils.language"]
    at = before[-1].end_lineno if before else imports[0].lineno - 1  # 0-based line index
    lines.insert(at, "from course_utils.language import set_language\n")
    return "".join(lines)


def build_notebook(language: str, notebook: str) -> nbformat.NotebookNode:
    """One notebook of the edition, in memory."""
    problems = translations.problems(language, notebook)
    if problems:
        raise ValueError(f"{notebook}: the {language} text is not complete and current:\n  "
                         + "\n  ".join(problems))
    nb = nbformat.read(SOURCE / f"{notebook}.ipynb", as_version=4)
    texts = {b.cell_id: b.text
             for b in translations.read_translation(translations.I18N / language
                                                    / f"{notebook}.md")}
    edition = copy.deepcopy(nb)
    first_code = True
    for cell in edition.cells:
        cell.source = texts.get(cell["id"], cell.source)
        if cell.cell_type == "code" and first_code:
            cell.source = with_language(cell.source, language)
            first_code = False
    edition.metadata["language_edition"] = language
    return edition


def notebooks() -> list[str]:
    return sorted(p.stem for p in SOURCE.glob("*.ipynb"))


def build(language: str) -> list[Path]:
    """Write every notebook of the edition; return their paths."""
    out = edition_dir(language)
    out.mkdir(exist_ok=True)
    written = []
    for name in notebooks():
        path = out / f"{name}.ipynb"
        nbformat.write(build_notebook(language, name), path)
        written.append(path)
    for stale in set(out.glob("*.ipynb")) - set(written):
        stale.unlink()
    return written


def differences(language: str) -> list[str]:
    """Notebooks of the committed edition that differ from what :func:`build` writes."""
    out = edition_dir(language)
    found = []
    for name in notebooks():
        path = out / f"{name}.ipynb"
        if not path.exists():
            found.append(f"{path.relative_to(REPO_ROOT)} is missing")
        elif nbformat.read(path, as_version=4) != build_notebook(language, name):
            found.append(f"{path.relative_to(REPO_ROOT)} is not what the source and "
                         f"i18n/{language}/{name}.md give")
    extra = {p.stem for p in out.glob("*.ipynb")} - set(notebooks())
    found += [f"{out.relative_to(REPO_ROOT)}/{n}.ipynb has no English source" for n in extra]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("build", "check"))
    parser.add_argument("language", choices=translations.LANGUAGES)
    args = parser.parse_args(argv)
    if args.command == "build":
        for path in build(args.language):
            print(path.relative_to(REPO_ROOT))
        return 0
    found = differences(args.language)
    print("\n".join(found) if found else f"{edition_dir(args.language).name}: in sync")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
