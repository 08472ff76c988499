"""The catalogue of known-wrong answers, one module per notebook (``nbNN_<topic>.py``).

Each module defines ``MISTAKES``: a list of :class:`course_grader.pipeline.Mistake`.
The grading-pipeline test submits every one of them as its own student and checks that it
loses exactly the test cells listed in ``loses`` and keeps full marks everywhere else.
"""

from __future__ import annotations

import importlib
import pkgutil

from course_grader.pipeline import Mistake


def question_answer(gid: str, comment: str, name: str, value: str) -> dict[str, str]:
    """The answers of a mistake that gives question ``gid`` the wrong ``value`` (source text)."""
    return {gid: f"# {comment}\n{name} = {value}\n"}


def wrong_answer(student: str, notebook: str, gid: str, value: str) -> Mistake:
    """A question answered wrong: variable ``answer_<slug>`` of answer cell ``gid``
    (``<prefix>-q-<slug>``) set to ``value`` (source text); it loses that question's test."""
    name = "answer_" + gid.split("-q-", 1)[1].replace("-", "_")
    return Mistake(student=student, notebook=notebook,
                   answers=question_answer(gid, "my answer", name, value),
                   loses=frozenset({f"{gid}-test"}))


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


def graded_submissions(mistakes: list[Mistake]) -> tuple[list[Mistake], dict[str, str]]:
    """How the grading-pipeline test grades the catalogue, and under which student ids.

    The mistakes of one notebook (except those marked ``alone``) are put together, greedily in
    catalogue order, into bundles whose members replace different answer cells and lose
    different test cells. A bundle must
    lose exactly the union of its members' cells: every cell a member must lose scores 0, and
    every cell no member may lose keeps its points, at a fraction of the grading time of one
    student per mistake. Returns the submissions (a mistake alone, or a bundle: a
    :class:`Mistake` with the merged answers, student ``bundle-<NN>-<k>``) and, for every
    mistake, the student id that grades it.
    """
    submissions: list[Mistake] = []
    graded_as: dict[str, str] = {}
    groups: dict[str, list[list[Mistake]]] = {}
    for m in mistakes:
        if m.alone:
            submissions.append(m)
            graded_as[m.student] = m.student
            continue
        for group in groups.setdefault(m.notebook, []):
            if all(not set(m.answers) & set(o.answers) and not m.loses & o.loses
                   for o in group):
                group.append(m)
                break
        else:
            groups[m.notebook].append([m])
    for notebook, notebook_groups in groups.items():
        for k, group in enumerate(notebook_groups, start=1):
            if len(group) == 1:
                submissions.append(group[0])
                graded_as[group[0].student] = group[0].student
                continue
            bundle = Mistake(student=f"bundle-{notebook[:2]}-{k}", notebook=notebook,
                             answers={g: s for m in group for g, s in m.answers.items()},
                             loses=frozenset().union(*(m.loses for m in group)))
            submissions.append(bundle)
            graded_as.update({m.student: bundle.student for m in group})
    return submissions, graded_as
