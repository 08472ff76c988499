"""The catalogue of known-wrong answers, one module per notebook (``nbNN_<topic>.py``).

Each module defines ``MISTAKES``: a list of :class:`course_utils.grading.pipeline.Mistake`.
The grading-pipeline test submits every one of them as its own student and checks that it
loses exactly the test cells listed in ``loses`` and keeps full marks everywhere else.
"""

from __future__ import annotations

import importlib
import pkgutil

from course_utils.grading.pipeline import Mistake


def all_mistakes() -> list[Mistake]:
    """Every mistake of every catalogue module, in module order."""
    found: list[Mistake] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(module.MISTAKES)
    students = [m.student for m in found]
    duplicates = sorted({s for s in students if students.count(s) > 1})
    if duplicates:
        raise ValueError(f"student ids must be unique across the catalogue: {duplicates}")
    return found
