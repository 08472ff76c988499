"""The Russian text of every notebook is complete, current and changes nothing but prose
(tools/translations.py), and the tool that keeps it so reports each kind of drift."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import translations  # noqa: E402

NOTEBOOKS = sorted(p.stem for p in translations.SOURCE.glob("*.ipynb"))


@pytest.mark.parametrize("language", translations.LANGUAGES)
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_cell_is_translated_current_and_unchanged_but_for_prose(language, notebook):
    assert translations.problems(language, notebook) == []


# ------------------------------------------------------------------------------------------
# the tool, on a notebook of its own
# ------------------------------------------------------------------------------------------

CODE = '''# Checks f on two inputs.
assert_close(f(1), 2, name="f at 1", hint="double the input.")
if f(2) != 4:
    raise AssertionError(f"f(2) is {f(2)!r}, "
                         "not 4.")
### BEGIN HIDDEN TESTS
assert f(3) == 6
### END HIDDEN TESTS'''
RUSSIAN_CODE = '''# Проверяет f на двух входах.
assert_close(f(1), 2, name="f в точке 1", hint="удвойте вход.")
if f(2) != 4:
    raise AssertionError(f"f(2) равно {f(2)!r}, а не 4.")
### BEGIN HIDDEN TESTS
assert f(3) == 6
### END HIDDEN TESTS'''


@pytest.fixture
def course(tmp_path, monkeypatch):
    source = tmp_path / "solutions" / "lecture02"
    source.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nThe loss $L(y, \\hat y)$ of `f`.", id="intro"),
        nbformat.v4.new_code_cell("x = 1 + 2", id="plain"),
        nbformat.v4.new_code_cell(CODE, id="check"),
    ]
    nbformat.write(nb, source / "01_demo.ipynb")
    monkeypatch.setattr(translations, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(translations, "SOURCE", source)
    monkeypatch.setattr(translations, "I18N", tmp_path / "i18n")
    return source / "01_demo.ipynb"


def _translate(text_of: dict[str, str]) -> None:
    path = translations.I18N / "ru" / "01_demo.md"
    blocks = [translations.Block(b.kind, b.cell_id, b.english_hash, text_of.get(b.cell_id, b.text))
              for b in translations.read_translation(path)]
    translations.write_translation(path, blocks)


def test_template_asks_for_every_markdown_cell_and_every_code_cell_with_prose(course):
    translations.template("ru", "01_demo")
    blocks = translations.read_translation(translations.I18N / "ru" / "01_demo.md")
    assert [(b.kind, b.cell_id) for b in blocks] == [("cell", "intro"), ("code", "check")]
    assert translations.problems("ru", "01_demo") == [
        "i18n/ru/01_demo.md: cell intro is not translated yet",
        "i18n/ru/01_demo.md: code check is not translated yet",
    ]


def test_a_faithful_translation_passes(course):
    translations.template("ru", "01_demo")
    _translate({"intro": "# Заголовок\n\nФункция потерь $L(y, \\hat y)$ функции `f`.",
                "check": RUSSIAN_CODE})
    assert translations.problems("ru", "01_demo") == []


@pytest.mark.parametrize(("cell", "text", "complaint"), [
    ("intro", "# Заголовок\n\nФункция потерь $L(y)$ функции `f`.", "changes formulas or code"),
    ("intro", "# Заголовок\n\nФункция потерь $L(y, \\hat y)$.", "changes formulas or code"),
    ("check", RUSSIAN_CODE.replace("== 6", "== 7"), "its code differs"),
    ("check", RUSSIAN_CODE.replace("{f(2)!r}", "{f(2)}"), "its code differs"),
    ("check", RUSSIAN_CODE.replace("### END HIDDEN TESTS", "### КОНЕЦ"), "### markers differ"),
    ("check", RUSSIAN_CODE.replace("if f(2)", "if (f(2)"), "no longer valid Python"),
])
def test_each_kind_of_drift_is_named(course, cell, text, complaint):
    translations.template("ru", "01_demo")
    good = {"intro": "# Заголовок\n\nФункция потерь $L(y, \\hat y)$ функции `f`.",
            "check": RUSSIAN_CODE}
    _translate({**good, cell: text})
    found = translations.problems("ru", "01_demo")
    assert len(found) == 1 and complaint in found[0] and cell in found[0], found


def test_a_changed_english_cell_makes_its_translation_stale_until_updated(course):
    translations.template("ru", "01_demo")
    _translate({"intro": "# Заголовок\n\nФункция потерь $L(y, \\hat y)$ функции `f`.",
                "check": RUSSIAN_CODE})
    nb = nbformat.read(course, as_version=4)
    nb.cells[0].source += "\n\nOne more sentence."
    nbformat.write(nb, course)
    assert translations.problems("ru", "01_demo") == [
        "i18n/ru/01_demo.md: cell intro is stale: its English changed since it was translated "
        "(update the text, then run template to refresh the hash)"]
    translations.template("ru", "01_demo")  # shows the new English, keeps the stale hash
    text = translations.read_translation(translations.I18N / "ru" / "01_demo.md")[0].text
    assert "One more sentence." in text and "Функция потерь" in text
    assert any("stale" in p for p in translations.problems("ru", "01_demo"))


def test_a_missing_file_says_how_to_start_one(course):
    assert translations.problems("ru", "01_demo") == [
        "i18n/ru/01_demo.md: missing (python tools/translations.py template ru 01_demo)"]


def test_an_unknown_notebook_is_named_with_the_known_ones(course):
    with pytest.raises(FileNotFoundError, match=r"notebook='02_x'.*the notebooks are: 01_demo"):
        translations.source_blocks("02_x")
