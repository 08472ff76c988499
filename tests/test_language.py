"""course_utils speaks the language of its edition: every message goes through ``tr``, and the
Russian catalogue has every template with the same fields."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from course_utils import language
from course_utils.language import set_language, tr
from course_utils.ru import MESSAGES, MODULES

PACKAGE = Path(language.__file__).resolve().parent
# language.py itself is left out: its one message is for the edition build, not a student.
SOURCES = sorted(p for p in PACKAGE.rglob("*.py")
                 if "ru" not in p.relative_to(PACKAGE).parts and p.name != "language.py")


def _fields(template: str) -> list[tuple[str, str | None, str]]:
    """``(field, conversion, format spec)`` of every replacement field, sorted."""
    return sorted((f, c, s or "") for _, f, s, c in string.Formatter().parse(template)
                  if f is not None)


def _tr_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name) and n.func.id == "tr"]


@pytest.fixture
def russian():
    set_language("ru")
    yield
    set_language("en")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_tr_call_is_a_literal_template_with_its_fields(path):
    for call in _tr_calls(path):
        where = f"{path.name}:{call.lineno}"
        assert call.args and isinstance(call.args[0], ast.Constant) \
            and isinstance(call.args[0].value, str), f"{where}: tr() needs a literal template"
        template = call.args[0].value
        names = {f for f, _, _ in _fields(template)}
        given = {k.arg for k in call.keywords}
        assert None not in given, f"{where}: tr(**mapping) hides the fields; name each one"
        assert names == given, f"{where}: template fields {sorted(names)}, given {sorted(given)}"
        assert all(n.isidentifier() for n in names), f"{where}: fields must be plain names"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_template_has_a_russian_entry_with_the_same_fields(path):
    for call in _tr_calls(path):
        template = call.args[0].value
        assert template in MESSAGES, f"{path.name}:{call.lineno}: no Russian for {template!r}"
        assert _fields(MESSAGES[template]) == _fields(template), (
            f"{path.name}:{call.lineno}: the Russian of {template!r} has other fields")


def test_the_catalogue_holds_only_templates_in_use():
    used = {c.args[0].value for p in SOURCES for c in _tr_calls(p)}
    unused = [k for m in MODULES for k in m.MESSAGES if k not in used]
    assert not unused, f"Russian entries no tr() call uses: {unused[:5]}"
    seen: dict[str, str] = {}
    for m in MODULES:
        for k, v in m.MESSAGES.items():
            assert seen.setdefault(k, v) == v, f"{k!r} has two different translations"


# Calls whose first argument a student reads, and keywords whose value a student reads.
SHOWN_BY = {"warn", "print", "set_title", "set_xlabel", "set_ylabel", "suptitle", "_fail"}
SHOWN_KEYWORDS = {"label", "title", "xlabel", "ylabel", "hint"}


def _callee(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_message_bypasses_tr(path):
    """An exception, warning, printed line or plot label built from a bare literal or f-string
    would stay in English in the Russian edition."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            args = node.exc.args
        elif isinstance(node, ast.Call) and _callee(node) in SHOWN_BY:
            args = node.args[:1] + [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        elif isinstance(node, ast.Call):
            args = [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        else:
            continue
        for arg in args:
            for part in ast.walk(arg):
                literal = isinstance(part, ast.JoinedStr) or (
                    isinstance(part, ast.Constant) and isinstance(part.value, str)
                    and any(ch.isalpha() for ch in part.value))
                inside_tr = False
                if literal:
                    inside_tr = any(part in ast.walk(c) for c in _tr_calls_in(arg))
                assert not literal or inside_tr, (
                    f"{path.name}:{node.lineno}: a message that does not go through tr()")


def _tr_calls_in(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name) and n.func.id == "tr"]


def test_english_is_the_default_and_russian_is_chosen_by_set_language(russian):
    template = next(iter(MESSAGES), None)
    if template is None:
        pytest.fail("the Russian catalogue is empty")
    fields = {f: "x" for f, _, _ in _fields(template)}
    assert tr(template, **fields) == MESSAGES[template].format(**fields)
    set_language("en")
    assert tr(template, **fields) == template.format(**fields)


def test_an_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"`code` must be one of \('en', 'ru'\)"):
        set_language("de")
    assert language.language() == "en"
