"""Hidden tests stay hidden in student feedback (``course_grader.feedback``).

The end-to-end tests grade real submissions with real nbgrader: a temporary course with
``00_start_here``, ``HideHiddenTests`` enabled in its ``nbgrader_config.py``, five students
(two honest, three who steal the hidden test source while being graded), one ``autograde``
and two ``generate_feedback`` runs (default settings, and ``keep_student_outputs=True``).
The unit tests below them run the preprocessor on small in-memory notebooks.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import html
import re
import urllib.parse
import zlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_grader import pipeline
from course_grader.feedback import (
    HIDDEN_PLACEHOLDER,
    HiddenTextDetector,
    HideHiddenTests,
    readonly_gradebook,
    split_hidden_tests,
)

NB = "00_start_here"
ANSWER = "start-sigmoid"
TEST = "start-sigmoid-test"
CONFIG = '''
# The honest student's "try it" cell is the instructor's unedited demo cell: it must run for
# its output to be kept (or dropped) in the feedback.
c.SandboxedExecute.skip_unneeded_cells = False
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course_grader.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''
SIGMOID = '''def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
'''
STEAL = '''
_stash = []
def _grab(info):
    if "HIDDEN TESTS" in info.raw_cell:
        _stash.append(info.raw_cell)
get_ipython().events.register("pre_run_cell", _grab)
'''
STUDENTS = {
    "honest": {ANSWER: SIGMOID},
    "honest-wrong": {ANSWER: "def sigmoid(z):\n    return np.tanh(z)\n"},
    "hook-printer": {ANSWER: SIGMOID + '''
def _spy(info):
    print(info.raw_cell)
get_ipython().events.register("pre_run_cell", _spy)
'''},
    "stasher": {ANSWER: SIGMOID + STEAL},
    "raiser": {ANSWER: STEAL + '''
def sigmoid(z):
    if _stash:
        raise RuntimeError("stolen: " + _stash[-1])
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))
'''},
}
# The stasher's last cell prints what the hook stole, plainly and base64-encoded, and writes
# it to a file next to the notebook (generate_feedback copies such files into feedback/).
STASHER_LAST_CELL = '''import base64
for text in _stash:
    print(text)
    print(base64.b64encode(text.encode()).decode())
with open("notes.txt", "w") as fh:
    fh.write("\\n".join(_stash))
'''
EXPECTED_SCORES = {"honest": 1.0, "honest-wrong": 0.0, "hook-printer": 1.0, "stasher": 1.0,
                   "raiser": 0.0}


def _squash(text: str) -> str:
    return "".join(text.split())


def _source_hidden_lines(course: Path) -> list[str]:
    """Every line between the hidden-test markers of the source notebook (independent parse)."""
    nb = pipeline.source_notebook(course, NB)
    lines = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "### BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "### END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) >= 12:
                lines.append(line)
    return lines


def _test_cell_source(course: Path) -> str:
    nb = pipeline.source_notebook(course, NB)
    return next(c.source for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == TEST)


def _html_text(raw: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", raw))


def _base64_decodings(raw: str):
    """Decode every long base64-looking run of ``raw`` at every alignment."""
    for run in re.findall(r"[A-Za-z0-9+/]{24,}", raw):
        for offset in range(4):
            chunk = run[offset:]
            chunk = chunk[: len(chunk) - len(chunk) % 4]
            try:
                yield base64.b64decode(chunk).decode("utf-8", errors="ignore")
            except ValueError:
                continue


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Graded:
    """The course after autograde and both feedback runs, with before/after file hashes."""


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    course = pipeline.prepare_course(tmp_path_factory.mktemp("feedback") / "course",
                                     notebooks=[NB])
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write(CONFIG)
    for student, answers in STUDENTS.items():
        nb = pipeline.solved_notebook(course, NB, answers)
        if student == "stasher":
            nb.cells.append(new_code_cell(STASHER_LAST_CELL))
        pipeline.submit(course, student, {NB: nb})
    g = Graded()
    g.course = course
    g.submitted_before = _hashes(course / "submitted")
    g.autograde = pipeline.autograde(course)
    g.autograded_before = _hashes(course / "autograded")
    pipeline.run_nbgrader(course, "generate_feedback", pipeline.ASSIGNMENT)
    pipeline.run_nbgrader(course, "generate_feedback", pipeline.ASSIGNMENT,
                          "--CourseDirectory.feedback_directory=feedback_kept",
                          "--HideHiddenTests.keep_student_outputs=True")
    g.feedback = {folder: {s: (course / folder / s / pipeline.ASSIGNMENT / f"{NB}.html")
                           .read_text() for s in STUDENTS}
                  for folder in ("feedback", "feedback_kept")}
    g.hidden = _source_hidden_lines(course)
    return g


def test_every_submission_was_graded_with_the_expected_score(graded):
    scores = pipeline.cell_scores(graded.course)
    assert graded.autograde.returncode == 0, graded.autograde.stderr[-3000:]
    for student, score in EXPECTED_SCORES.items():
        assert scores[student][(NB, TEST)] == (score, 1.0), student


def test_the_attacks_really_put_hidden_source_into_the_autograded_notebooks(graded):
    """Without the preprocessor the hidden tests would be in these notebooks' outputs."""
    assert len(graded.hidden) >= 2
    for student in ("hook-printer", "stasher", "raiser"):
        nb = nbformat.read(graded.course / "autograded" / student / pipeline.ASSIGNMENT
                           / f"{NB}.ipynb", as_version=4)
        outputs = _squash(str([c.get("outputs") for c in nb.cells]))
        assert all(_squash(line) in outputs for line in graded.hidden), student
    # The sandboxed kernel works in a private copy of the folder: a file it writes never
    # reaches autograded/ (and so never reaches feedback/ either).
    notes = graded.course / "autograded" / "stasher" / pipeline.ASSIGNMENT / "notes.txt"
    assert not notes.exists()


@pytest.mark.parametrize("folder", ["feedback", "feedback_kept"])
def test_no_hidden_test_line_appears_in_any_feedback(graded, folder):
    stolen_b64 = base64.b64encode(_test_cell_source(graded.course)[:60].encode()).decode()
    for student, raw in graded.feedback[folder].items():
        text = _squash(_html_text(raw))
        for line in graded.hidden:
            assert _squash(line) not in text, (folder, student, line)
            assert _squash(line) not in _squash(raw), (folder, student, line)
            for decoded in _base64_decodings(raw):
                assert _squash(line) not in _squash(decoded), (folder, student, "base64")
        assert stolen_b64[:40] not in raw, (folder, student)
        assert HIDDEN_PLACEHOLDER in _html_text(raw), (folder, student)


@pytest.mark.parametrize("folder", ["feedback", "feedback_kept"])
def test_feedback_folders_hold_only_the_html_and_timestamp(graded, folder):
    for student in STUDENTS:
        names = sorted(p.name for p in (graded.course / folder / student).rglob("*")
                       if p.is_file())
        assert names == [f"{NB}.html", "timestamp.txt"], (student, names)
        for path in (graded.course / folder / student).rglob("*"):
            if path.is_file():
                content = _squash(path.read_text(errors="ignore"))
                assert not any(_squash(line) in content for line in graded.hidden)


@pytest.mark.parametrize("folder", ["feedback", "feedback_kept"])
def test_scores_still_show_in_the_feedback(graded, folder):
    for student, score in EXPECTED_SCORES.items():
        text = " ".join(_html_text(graded.feedback[folder][student]).split())
        assert f"(Score: {score} / 1.0)" in text, (student, folder)  # the notebook total
        assert f"Score: {score} / 1.0 (Top)" in text, (student, folder)  # the test cell


def test_honest_failure_shows_the_message_and_the_visible_line_but_no_traceback(graded):
    text = _html_text(graded.feedback["feedback"]["honest-wrong"])
    assert "CheckFailed: sigmoid(0): 1 of 1 values differ" in text
    assert "expected 0.5, got 0.0" in text
    assert 'Raised by: assert_close(sigmoid(np.array([0.0])), np.array([0.5]), name="sigmoid(0)")' \
        in text
    assert "Traceback (most recent call last)" not in text
    assert "testing.py" not in text  # no frames of course_utils either


def test_exception_carrying_the_stolen_source_keeps_only_its_name(graded):
    text = _html_text(graded.feedback["feedback"]["raiser"])
    assert "RuntimeError: [removed from the feedback: it quoted hidden test code]" in text
    assert "stolen: # Checks" not in text  # the message began with the stolen cell


def test_student_outputs_are_dropped_by_default_and_kept_clean_on_request(graded):
    shown = "0.11920292"  # printed by the honest student's "try it" cell
    assert shown not in _html_text(graded.feedback["feedback"]["honest"])
    assert shown in _html_text(graded.feedback["feedback_kept"]["honest"])
    kept = _html_text(graded.feedback["feedback_kept"]["stasher"])
    assert "[removed from the feedback: it quoted hidden test code]" in kept
    # the hook's printing into the test cell is gone in both modes
    for folder in ("feedback", "feedback_kept"):
        assert "Checks: sigmoid(0)" in _html_text(graded.feedback[folder]["hook-printer"])
        assert _html_text(graded.feedback[folder]["hook-printer"]).count("Checks: sigmoid(0)") \
            == 1


def test_feedback_generation_changes_neither_submissions_nor_autograded_notebooks(graded):
    assert _hashes(graded.course / "submitted") == graded.submitted_before
    assert _hashes(graded.course / "autograded") == graded.autograded_before


# --------------------------------------------------------------------------------------------
# unit tests: the preprocessor on in-memory notebooks (no nbgrader run)
# --------------------------------------------------------------------------------------------
HIDDEN_LINE = "assert_close(huber(y, p, delta=0.37), 1.2345, name='hidden huber')"
TEST_SOURCE = ("assert_close(huber(y, p), 0.5, name='visible huber')\n"
               "### BEGIN HIDDEN TESTS\n" + HIDDEN_LINE + "\n### END HIDDEN TESTS")


def _notebook(*student_outputs, test_outputs=()):
    answer = new_code_cell("def huber(y, p):\n    return 0.5", outputs=list(student_outputs))
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                   "grade_id": "ans", "schema_version": 3}
    test = new_code_cell(TEST_SOURCE, outputs=list(test_outputs))
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": "ans-test", "points": 1, "schema_version": 3}
    return new_notebook(cells=[answer, test])


def _run(nb, **traits):
    pp = HideHiddenTests(**traits)
    nb, _ = pp.preprocess(nb, {"nbgrader": {"student": "s", "notebook": "n"}})
    return nb


def _stream(text):
    return new_output("stream", name="stdout", text=text)


def test_split_hidden_tests_keeps_indentation_and_hides_an_unterminated_region():
    visible, hidden = split_hidden_tests("if x:\n    ### BEGIN HIDDEN TESTS\n    secret()\n")
    assert visible == "if x:\n    " + HIDDEN_PLACEHOLDER
    assert hidden == ["    secret()", ""]


@pytest.mark.parametrize("encode", [
    lambda s: s,
    lambda s: s[::-1],
    lambda s: codecs.encode(s, "rot13"),
    lambda s: s.encode().hex(),
    lambda s: base64.b64encode(zlib.compress(s.encode())).decode(),
    lambda s: base64.urlsafe_b64encode(base64.b64encode(s.encode())).decode(),
    lambda s: "junk" + base64.b64encode(s.encode()).decode(),
    lambda s: ", ".join(str(ord(ch)) for ch in s),
    lambda s: urllib.parse.quote(s),
    lambda s: html.escape(s),
    lambda s: repr(s.replace(" ", "\n")),
], ids=["plain", "reversed", "rot13", "hex", "zlib-base64", "double-base64", "base64-offset",
        "char-codes", "url", "html", "repr-rewrapped"])
def test_encoded_hidden_line_in_a_kept_output_is_removed(encode):
    nb = _run(_notebook(_stream("x\n" + encode(HIDDEN_LINE) + "\n")), keep_student_outputs=True)
    assert nb.cells[0].outputs[0].text.startswith("[removed from the feedback")


def test_a_hidden_line_printed_in_two_pieces_is_removed():
    half = len(HIDDEN_LINE) // 2
    nb = _notebook(_stream(HIDDEN_LINE[:half]), new_output(
        "execute_result", data={"text/plain": HIDDEN_LINE[half:]}, execution_count=1))
    nb = _run(nb, keep_student_outputs=True)
    assert len(nb.cells[0].outputs) == 1
    assert nb.cells[0].outputs[0].text.startswith("[removed from the feedback")


def test_student_outputs_default_dropped_and_unsafe_mimetypes_never_kept():
    outputs = [_stream("loss 0.5\n"),
               new_output("display_data", data={"text/html": "<b>x</b>",
                                                "application/javascript": "alert(1)"}),
               new_output("display_data", data={"text/plain": "<Figure>",
                                                "image/png": "iVBORw0KGgo=",
                                                "image/svg+xml": "<svg/>"})]
    assert _run(_notebook(*outputs)).cells[0].outputs == []
    kept = _run(_notebook(*outputs), keep_student_outputs=True).cells[0].outputs
    assert [o.output_type for o in kept] == ["stream", "display_data"]
    assert set(kept[1].data) == {"text/plain", "image/png"}


def test_test_cell_keeps_name_and_message_only_and_locates_the_hidden_failure():
    error = new_output("error", ename="CheckFailed", evalue="hidden huber: expected 1.2",
                       traceback=["\x1b[36mCell In[9], line 3\x1b[39m\n----> 3 " + HIDDEN_LINE,
                                  "CheckFailed: hidden huber: expected 1.2"])
    nb = _run(_notebook(test_outputs=[_stream(TEST_SOURCE), error]))
    (out,) = nb.cells[1].outputs
    assert out.traceback == ["Raised in the hidden tests.",
                             "CheckFailed: hidden huber: expected 1.2"]
    assert HIDDEN_LINE not in nb.cells[1].source
    assert nb.cells[1].source.endswith(HIDDEN_PLACEHOLDER)


def test_failure_message_and_name_carrying_hidden_code_are_replaced_or_cut():
    b64 = base64.b64encode(HIDDEN_LINE.encode()).decode()
    error = new_output("error", ename="ValueError", evalue="see " + b64, traceback=[])
    (out,) = _run(_notebook(test_outputs=[error])).cells[1].outputs
    assert out.evalue.startswith("[removed from the feedback") and out.ename == "ValueError"
    long = new_output("error", ename="E" * 500, evalue="x" * 5000, traceback=[])
    (out,) = _run(_notebook(test_outputs=[long]), max_message_chars=100).cells[1].outputs
    assert len(out.ename) == 60 and out.evalue == "x" * 100 + " ... (message cut)"


def test_stderr_only_failure_is_explained():
    stderr = new_output("stream", name="stderr", text="warning\n")
    (out,) = _run(_notebook(test_outputs=[stderr])).cells[1].outputs
    assert "stderr" in out.text


def test_widget_state_and_comments_quoting_hidden_code_are_removed():
    nb = _notebook()
    nb.metadata["widgets"] = {"state": {"m": {"value": HIDDEN_LINE}}}
    nb.cells[0].metadata["nbgrader"]["comment"] = "you missed " + HIDDEN_LINE
    nb = _run(nb)
    assert "widgets" not in nb.metadata
    assert nb.cells[0].metadata["nbgrader"]["comment"].startswith("[removed from the feedback")


def test_detector_ignores_short_and_visible_lines():
    d = HiddenTextDetector(["x = 1", "assert visible_and_hidden(3) == 3", HIDDEN_LINE],
                           ["assert visible_and_hidden(3) == 3"])
    assert len(d) == 1
    assert d.find("x = 1 and assert visible_and_hidden(3) == 3") is None


def test_readonly_gradebook_never_creates_a_database(tmp_path):
    with pytest.raises(FileNotFoundError):
        with readonly_gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}"):
            pass
    assert not (tmp_path / "gradebook.db").exists()
