"""The language of every message and plot label ``course_utils`` shows: English or Russian.

The Russian edition's setup cells call ``set_language("ru")``; the English edition never does.
Every text a student can see goes through :func:`tr`::

    raise CourseInputError(tr("`{name}` must be finite. Received: {x!r}.", name=name, x=x))

The English template is the key: ``course_utils/ru/<module>.py`` maps it to the Russian one
(``course_utils/ru/__init__.py`` merges them),
with the same ``{fields}`` (``tests/test_language.py`` checks every ``tr`` call of the package
against the catalogue). A template with no Russian entry is shown in English.
"""

from __future__ import annotations

from functools import cache

__all__ = ["LANGUAGES", "set_language", "language", "tr"]

LANGUAGES = ("en", "ru")
_current = "en"


def set_language(code: str) -> None:
    """Show every message and plot label of ``course_utils`` in ``code`` ("en" or "ru")."""
    global _current
    if code not in LANGUAGES:
        raise ValueError(f"`code` must be one of {LANGUAGES}. Received: code={code!r}.\n"
                         "Hint: the Russian edition uses \"ru\", the English one \"en\".")
    _current = code


def language() -> str:
    """The language set by :func:`set_language` ("en" until it is called)."""
    return _current


@cache
def catalogue(code: str) -> dict[str, str]:
    """Every English template of the package and its translation into ``code``."""
    if code == "ru":
        from course_utils.ru import MESSAGES

        return MESSAGES
    return {}


def tr(english: str, /, **fields) -> str:
    """``english`` in the current language, with its ``{fields}`` filled in."""
    template = catalogue(_current).get(english, english) if _current != "en" else english
    return template.format(**fields) if fields else template
