"""The adversarial corpus of ``tests/adversarial``, graded in one batch with the honest students.

Guarantee: a submission that adds a trick (input rewriting, assert stripping, patched builtins,
numpy or test helpers, results that equal anything, silenced tracebacks, custom exception
handlers, a patched kernel, detection of ``NBGRADER_EXECUTION``) scores no more than the same
submission without the trick; damaged files are repaired or fail alone; attacks on the
grader's resources cost only the cell that runs them; nothing secret reaches a student's
notebook. Each attack is asserted cell by cell against the score its honest twin (the known
mistake it starts from, or the correct solution) gets, in the same batch.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from course_grader import pipeline
from tests.adversarial import (
    EVERY_NOTEBOOK_KINDS,
    KINDS,
    PEER,
    PEER_NOTEBOOK,
    TELLTALES,
    all_attacks,
    mistake,
    notebook_test_cells,
)
from tests.conftest import (
    FULL,
    NOTEBOOKS,
    SHARDS,
    submission_digests,
)

ATTACKS = all_attacks()
GRADED = [a for a in ATTACKS if a.graded]
UNGRADED = [a for a in ATTACKS if not a.graded]
WITH_MARKERS = [a for a in ATTACKS if a.markers]
SNOOPING = [a for a in ATTACKS if a.probes]
_ids = {"ids": lambda a: a.student}


def _autograded(graded_course, student: str, notebook: str) -> Path:
    return (graded_course.course_of[student] / "autograded" / student / pipeline.ASSIGNMENT
            / f"{notebook}.ipynb")


def _outputs(path: Path) -> list[str]:
    """Every output of an autograded notebook as text (streams, errors, text results)."""
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(out.text)
            elif out.output_type == "error":
                texts.append(f"{out.ename}: {out.evalue}")
            else:
                texts.append(str(out.get("data", {}).get("text/plain", "")))
    return texts


def _score_report(graded_course, student: str, notebook: str, loses) -> list[str]:
    """The cells of ``student`` that do not score as expected, as readable lines."""
    got = graded_course.scores.get(student, {})
    wrong = []
    for gid, points in notebook_test_cells(notebook).items():
        want = (0.0 if gid in loses else points, points)
        have = got.get((notebook, gid))
        if have != want:
            verdict = ("GAINED" if have and want[0] < (have[0] or 0) else "lost")
            wrong.append(f"{verdict} {notebook}/{gid}: expected {want[0]}/{points}, got "
                         f"{have[0] if have else None}/{points}")
    return wrong


# ------------------------------------------------------------------------------------------
# the catalogue itself (no grading needed)
# ------------------------------------------------------------------------------------------


def test_corpus_has_at_least_30_attacks_over_all_six_notebooks():
    assert len(ATTACKS) >= 30
    assert {a.notebook for a in ATTACKS} == set(NOTEBOOKS)


def test_corpus_covers_every_kind_of_attack():
    used = Counter(kind for a in ATTACKS for kind in a.kinds)
    assert set(used) == set(KINDS), f"kinds without an attack: {sorted(set(KINDS) - set(used))}"


@pytest.mark.parametrize("kind", EVERY_NOTEBOOK_KINDS)
def test_strongest_tricks_are_tried_on_every_notebook(kind):
    covered = {a.notebook for a in ATTACKS if kind in a.kinds and a.base}
    assert covered == set(NOTEBOOKS), f"{kind}: missing on {sorted(set(NOTEBOOKS) - covered)}"


def test_in_kernel_tricks_start_from_a_known_mistake_and_expect_its_score():
    for a in ATTACKS:
        if a.trick or a.wrapper:
            assert a.base and a.loses is None, a.student
            assert a.expected_loses == mistake(a.base).loses, a.student


@pytest.mark.parametrize("attack", ATTACKS, **_ids)
def test_expected_cells_exist_in_the_notebook(attack):
    assert attack.notebook in NOTEBOOKS
    unknown = attack.expected_loses - set(notebook_test_cells(attack.notebook))
    assert not unknown, f"{attack.student}: not test cells of {attack.notebook}: {unknown}"


@pytest.mark.parametrize("attack", [a for a in ATTACKS if not a.omit_notebook], **_ids)
def test_every_crafted_notebook_is_valid(attack):
    """Built from the repository's own release (no grading): a valid notebook whose code cells
    all compile, so every attack really runs its code when graded."""
    nb = attack.build(pipeline.REPO_ROOT, {"@LISTENER_PORT@": "1", "@HOST_ADDRESS@": "10.0.0.1"})
    for cell in nb.cells:
        if cell.cell_type == "code":
            compile(cell.source, f"<{attack.student}>", "exec")
    assert nbformat.validate(nb) is None


def test_only_two_attacks_run_into_the_time_limit_each_in_its_own_copy():
    slow = [a for a in ATTACKS if a.timeout]
    assert len(slow) == 2
    assert sorted(a.shard for a in slow) == list(range(min(2, SHARDS)))
    assert {a.notebook for a in slow} == {"02_moving_average"}  # the fastest notebook


# ------------------------------------------------------------------------------------------
# the graded batch
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("attack", GRADED, **_ids)
def test_attack_scores_exactly_what_the_submission_without_it_scores(graded_course, attack):
    wrong = _score_report(graded_course, attack.student, attack.notebook,
                          attack.expected_loses)
    twin = f"known mistake {attack.base!r}" if attack.base else "the correct solution"
    assert not wrong, (f"{attack.student} ({attack.summary}; starts from {twin}):\n  "
                       + "\n  ".join(wrong))


@pytest.mark.parametrize("attack", UNGRADED, **_ids)
def test_submission_that_cannot_be_graded_earns_nothing(graded_course, attack):
    got = graded_course.scores.get(attack.student, {})
    earned = {k: v for k, v in got.items() if v[0]}
    assert earned == {}, f"{attack.student} earned points: {earned}"
    assert not _autograded(graded_course, attack.student, attack.notebook).exists()


@pytest.mark.parametrize("attack", WITH_MARKERS, **_ids)
def test_attack_really_ran(graded_course, attack):
    text = "\n".join(_outputs(_autograded(graded_course, attack.student, attack.notebook)))
    for alternatives in attack.markers:
        assert any(m in text for m in alternatives), (
            f"{attack.student}: none of {alternatives} in its outputs:\n{text[-3000:]}")


def test_honest_students_keep_their_scores(graded_course):
    """The full solution, the peer and every known mistake an attack starts from (in its
    bundle), graded in the same batch as the attacks, score exactly as without them."""
    wrong = []
    for name in NOTEBOOKS:
        wrong += _score_report(graded_course, FULL, name, frozenset())
    wrong += _score_report(graded_course, PEER, PEER_NOTEBOOK, frozenset())
    for base in sorted({a.base for a in ATTACKS if a.base}):
        student = graded_course.graded_as[base]  # a known mistake is graded in a bundle
        loses = next(s.loses for s in graded_course.submissions if s.student == student)
        wrong += [f"{base} (as {student}): {w}"
                  for w in _score_report(graded_course, student, mistake(base).notebook, loses)]
    assert not wrong, "\n".join(wrong)


def test_grading_modified_no_submission(graded_course):
    after = {}
    for course in graded_course.paths:
        after.update(submission_digests(course))
    changed = sorted(s for s, d in graded_course.digests_before.items() if after.get(s) != d)
    assert changed == [] and set(after) == set(graded_course.digests_before)


@pytest.mark.parametrize("attack", SNOOPING, **_ids)
def test_snooping_is_blocked_and_no_secret_reaches_the_notebook(graded_course, attack):
    path = _autograded(graded_course, attack.student, attack.notebook)
    texts = _outputs(path)
    lines = [line for t in texts for line in t.splitlines()]
    leaks = [line[:300] for line in lines if line.startswith("LEAK ")]
    assert leaks == [], f"{attack.student}:\n" + "\n".join(leaks)
    for tag in attack.probes:
        assert any(line.startswith(f"BLOCKED {tag} ") for line in lines), (
            f"{attack.student}: probe {tag} did not run:\n" + "\n".join(lines[-40:]))
    raw = path.read_text()
    secrets = [s for s in graded_course.secrets.values() if s in raw]
    assert secrets == [], f"{attack.student}: secrets in its notebook: {secrets}"
    telltales = [t for t in TELLTALES if any(t in x for x in texts)]
    assert telltales == [], f"{attack.student}: outputs show {telltales}"


def test_no_connection_reached_the_grading_host(graded_course):
    assert graded_course.listener.hits == []


def test_only_the_missing_notebook_failed_and_the_log_says_why(graded_course):
    assert all(code == 0 for code in graded_course.retried.values()), graded_course.retried
    failing = re.compile(r"There was an error processing assignment '[^']*' for student "
                         r"'([^']+)'")
    failed, ungraded, logs = set(), set(), ""
    for course in graded_course.paths:
        log = (course / "autograde.log").read_text()
        logs += log
        failed |= set(failing.findall(log))
        ungraded |= set(pipeline.ungraded_students(course))
    assert failed == graded_course.expected_failures, logs[-6000:]
    assert ungraded == graded_course.expected_failures
    assert "adv02-invalid-json/02_moving_average could not be read (NotJSONError" in logs


def test_only_the_loop_attacks_hit_the_time_limit(graded_course):
    for a in GRADED:
        text = "\n".join(_outputs(_autograded(graded_course, a.student, a.notebook)))
        hit = any(e in text for e in ("CellTimeoutError", "KeyboardInterrupt", "TimeoutError"))
        if a.timeout is not None:  # None: either is right (see Attack.timeout)
            assert hit == a.timeout, f"{a.student}: time limit hit: {hit}"


def test_output_flood_is_capped(graded_course):
    for a in ATTACKS:
        if "output-flood" in a.kinds:
            path = _autograded(graded_course, a.student, a.notebook)
            assert path.stat().st_size < 4 * 2**20, f"{a.student}: {path.stat().st_size} bytes"


def test_batch_summary(graded_course, record_property):
    summary = graded_course.summary
    for key in ("batch_seconds", "students", "honest_students", "attackers"):
        record_property(key, summary[key])
    assert summary["attackers"] == len(ATTACKS)
    assert summary["students"] == summary["honest_students"] + summary["attackers"]
