"""Build the student edition: what students receive instead of this repository.

    python tools/student_edition.py [--out dist]        (``make student-edition`` runs this)

writes ``dist/student-edition/`` and ``dist/student-edition.zip``, holding only::

    README.md, Makefile     the students' two commands (templates in tools/student-edition/)
    pyproject.toml          the pinned packages a student needs, derived from ../pyproject.toml
    .jupyter/               JupyterLab's settings: the notebooks and Validate, no instructor tool;
                            .jupyter/ru/: its menus in Russian for the Russian edition
    course_utils/           the package the notebooks import
    notebooks/lecture02_ru/ the release notebooks as committed: the Russian edition
    notebooks/lecture02/    and the English one

The repository itself holds every solution and hidden test, so students never get it. Before
the archive is written the folder is scanned (:func:`leaks`); the build stops on any finding.
The archive is a zip (it opens with a double click on every system; nothing in the edition
needs a Unix file mode). Every file carries one time, when its sources last changed
(``SOURCE_DATE_EPOCH`` if set), and entries are sorted: the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
import tomllib
import zipfile
from pathlib import Path

from course_grader.pipeline import ASSIGNMENT, EDITIONS

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "student-edition"
# The editions students get, the Russian one first (the default of the edition's make lab).
ASSIGNMENTS = (EDITIONS["ru"], EDITIONS["en"])
NAME = "student-edition"

# Runtime dependencies of the repository that students do not need. Today there is none:
# nbgrader stays, its Validate button is how a student checks a notebook before submitting.
INSTRUCTOR_ONLY_DEPENDENCIES: frozenset[str] = frozenset()

# nbgrader's instructor and exchange tools, switched off in the edition's JupyterLab (names
# from nbgrader 0.9.6: labextension/static/*.js and etc/jupyter/jupyter_server_config.d).
# Without an exchange, the assignment and course lists only show "Error fetching courses!".
DISABLED_LAB_PLUGINS = (
    "@jupyter/nbgrader:menu",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
)
DISABLED_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)
KEPT = ("@jupyter/nbgrader:validate-assignment", "nbgrader.server_extensions.validate_assignment")
# JupyterLab's "get notified about official Jupyter news?" pop-up: not what a student came for.
DISABLED_LAB_EXTRAS = ("@jupyterlab/apputils-extension:announcements",)

# What nbgrader strips from the release, and what must therefore never reach a student.
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
           "BEGIN MARK SCHEME", "END MARK SCHEME")
_REGION = re.compile(r"^\s*(?:###|===) (BEGIN|END) (SOLUTION|HIDDEN TESTS|MARK SCHEME)\b")
# Repository paths that never belong in the edition, wherever they appear in it.
FORBIDDEN_PARTS = frozenset({
    "solutions", "tests", "mistakes", "adversarial", "grading", "course_grader", "bench",
    "tools", ".git",
    "gradebook.db", "nbgrader_config.py", "submitted", "autograded", "feedback", "exchange",
    "grades.csv", "integrity_report.csv", ".nbgrader.log", "__pycache__",
    ".ipynb_checkpoints",
})
TOP_LEVEL = frozenset({"README.md", "Makefile", "pyproject.toml", ".jupyter", "course_utils",
                       "notebooks"})


def student_dependencies(repo: Path = REPO_ROOT) -> list[str]:
    """The repository's pinned runtime dependencies minus the instructor-only ones."""
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    return [d for d in project["dependencies"]
            if re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0] not in INSTRUCTOR_ONLY_DEPENDENCIES]


def student_pyproject(repo: Path = REPO_ROOT) -> str:
    """The edition's pyproject.toml: the course_utils package and the students' pins."""
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    deps = "".join(f"    {json.dumps(d)},\n" for d in student_dependencies(repo))
    return (
        "# The workbook's environment: `make setup` installs it into .venv (pip install -e .).\n"
        "# Generated from the course repository's pyproject.toml; the pins are the ones the\n"
        "# notebooks are tested and graded with.\n"
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "nn-lecture02-workbook"\n'
        f'version = {json.dumps(project["version"])}\n'
        'description = "Lecture-02 neural-networks workbook: notebooks and course_utils"\n'
        f'requires-python = {json.dumps(project["requires-python"])}\n'
        f"dependencies = [\n{deps}]\n\n"
        '[tool.setuptools.packages.find]\ninclude = ["course_utils*"]\n'
    )


def _jupyter_config() -> dict[str, dict]:
    """Relative path under .jupyter/ -> JSON content."""
    return {
        "labconfig/page_config.json": {
            "disabledExtensions": {
                name: True for name in (*DISABLED_LAB_PLUGINS, *DISABLED_LAB_EXTRAS)}},
        "jupyter_server_config.d/student-edition.json": {
            "ServerApp": {"jpserver_extensions": {
                name: False for name in DISABLED_SERVER_EXTENSIONS}}},
    }


def _notebook_table(notebooks: Path) -> str:
    rows = ["| notebook | topic |", "|---|---|"]
    for path in sorted(notebooks.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        title = "".join(cells[0]["source"]).splitlines()[0] if cells else ""
        title = re.sub(r"^#+\s*(\d+\s*[.·:]\s*)?", "", title).strip()
        rows.append(f"| `{path.stem}` | {title} |")
    return "\n".join(rows)


def build(out: Path, *, repo: Path = REPO_ROOT) -> Path:
    """Write ``out/student-edition/`` afresh from ``repo`` and return it (no archive)."""
    dest = Path(out) / NAME
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    notebooks = []
    for assignment in ASSIGNMENTS:
        release = repo / "notebooks" / assignment
        found = sorted(release.glob("*.ipynb"))
        if not found:
            raise SystemExit(f"No release notebooks in {release}: run `make release` first.")
        (dest / "notebooks" / assignment).mkdir(parents=True)
        for path in found:
            shutil.copyfile(path, dest / "notebooks" / assignment / path.name)
        notebooks += found
    shutil.copytree(repo / "course_utils", dest / "course_utils",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    (dest / "pyproject.toml").write_text(student_pyproject(repo))
    shutil.copyfile(TEMPLATES / "Makefile", dest / "Makefile")
    readme = (TEMPLATES / "README.md").read_text()
    (dest / "README.md").write_text(
        readme.replace("{notebooks_ru}", _notebook_table(dest / "notebooks" / ASSIGNMENTS[0]))
        .replace("{notebooks}", _notebook_table(dest / "notebooks" / ASSIGNMENT)))
    for rel, content in _jupyter_config().items():
        target = dest / ".jupyter" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(content, indent=2) + "\n")
    # JupyterLab's own menus in Russian for the Russian edition (its Makefile puts this
    # folder on JUPYTER_CONFIG_PATH for `make lab`, the default edition)
    shutil.copytree(repo / "i18n" / "ru" / "jupyterlab", dest / ".jupyter" / "ru")
    sources = [*notebooks, *(repo / "course_utils").rglob("*.py"), repo / "pyproject.toml",
               *TEMPLATES.iterdir(), *(repo / "i18n" / "ru" / "jupyterlab").rglob("*.json"),
               Path(__file__)]
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or max(p.stat().st_mtime for p in sources))
    for path in dest.rglob("*"):
        os.utime(path, (epoch, epoch))
    return dest


def _region_lines(repo: Path) -> tuple[set[str], set[str]]:
    """The distinctive lines (12 characters or more) of the solution regions (or whole answer
    cells without markers) and of the hidden-test and mark-scheme regions in
    ``repo/solutions``, minus the lines the release shows anyway (nbgrader publishes those)."""
    public: set[str] = set()
    for path in (p for a in ASSIGNMENTS for p in (repo / "notebooks" / a).glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            public.update(line.strip() for line in "".join(cell["source"]).splitlines())
    solution: set[str] = set()
    hidden: set[str] = set()
    for path in (p for a in ASSIGNMENTS for p in (repo / "solutions" / a).glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            # An answer cell without markers is a solution as a whole (nbgrader replaces it).
            whole = (cell.get("metadata", {}).get("nbgrader", {}).get("solution")
                     and "BEGIN SOLUTION" not in source)
            region = "SOLUTION" if whole else None
            for line in source.splitlines():
                match = _REGION.match(line)
                if match:
                    region = match.group(2) if match.group(1) == "BEGIN" else None
                elif region and len(line.strip()) >= 12:
                    (solution if region == "SOLUTION" else hidden).add(line.strip())
    return solution - public, hidden - public


def leaks(folder: Path, *, repo: Path = REPO_ROOT) -> list[str]:
    """Everything in an edition folder that must not be there; an empty list when clean.

    Checks the top-level entries, every path part against the repository's instructor side
    (solutions, tests, grading, gradebook, .git, ...), every text file for nbgrader's region
    markers, imports of the grading package, and every line of a solution or hidden-test region
    of ``repo/solutions`` (the lines the release shows anyway excepted). A solution line inside
    ``course_utils/`` is the reference implementation of the same formula, which students get
    by design; everywhere else it is a leak. Hidden-test lines are leaks everywhere.
    """
    folder = Path(folder)
    found = [f"unexpected top-level entry: {p.name}" for p in sorted(folder.iterdir())
             if p.name not in TOP_LEVEL]
    solution, hidden = _region_lines(repo)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        bad = sorted(FORBIDDEN_PARTS.intersection(rel.parts))
        if bad or rel.suffix in {".db", ".pyc"} or ".egg-info" in str(rel):
            found.append(f"{rel}: instructor or build file ({', '.join(bad) or rel.suffix})")
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            found.append(f"{rel}: binary file")
            continue
        found += [f"{rel}: contains {m!r}" for m in MARKERS if m in text]
        if re.search(r"(from|import)\s+course_(utils\.grading|grader)", text):
            found.append(f"{rel}: imports course_grader")
        # Notebooks are JSON: compare the lines of their cells, not of the file.
        lines = (text.splitlines() if path.suffix != ".ipynb" else
                 [ln for cell in json.loads(text)["cells"]
                  for ln in "".join(cell["source"]).splitlines()])
        secret = hidden if rel.parts[0] == "course_utils" else hidden | solution
        found += [f"{rel}: {'hidden-test' if ln.strip() in hidden else 'solution'} line "
                  f"{ln.strip()!r}" for ln in lines if ln.strip() in secret]
    return found


def archive(folder: Path) -> Path:
    """Zip ``folder`` beside itself (entries under ``student-edition/``, sorted, with the
    files' own times)."""
    folder = Path(folder)
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            stamp = time.gmtime(max(path.stat().st_mtime, 315532800))[:6]  # zip: from 1980
            info = zipfile.ZipInfo(str(Path(folder.name) / path.relative_to(folder)), stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "dist",
                        help="folder to write student-edition/ and student-edition.zip into")
    args = parser.parse_args(argv)
    folder = build(args.out)
    found = leaks(folder)
    if found:
        print("The student edition holds instructor material; no archive written:",
              *found, sep="\n  ", file=sys.stderr)
        return 1
    target = archive(folder)
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"Student edition: {folder} ({count} files)\nArchive to publish: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
