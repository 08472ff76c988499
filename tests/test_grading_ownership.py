"""Grading outputs go back to the instructor (``course_grader.ownership``)."""

from __future__ import annotations

import os

import pytest

from course_grader.ownership import give_back, instructor

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files away")

OWNER = (54321, 54322)  # no such user is needed to own files


def _course(tmp_path):
    (tmp_path / "autograded" / "alice" / "lecture02").mkdir(parents=True)
    (tmp_path / "autograded" / "alice" / "lecture02" / "00_start_here.ipynb").write_text("{}")
    (tmp_path / "gradebook.db").write_bytes(b"")
    (tmp_path / "grades.csv").write_text("student_id\n")
    (tmp_path / "grades_canvas.csv").write_text("Student\n")
    (tmp_path / "solutions").mkdir()
    (tmp_path / "outside.txt").write_text("not an output\n")
    os.symlink(tmp_path / "outside.txt",
               tmp_path / "autograded" / "alice" / "lecture02" / "link.txt")
    return tmp_path


def test_outputs_change_owner_and_nothing_else(tmp_path):
    course = _course(tmp_path)
    changed = give_back(course, owner=OWNER)
    assert changed == 8  # gradebook, two CSVs, autograded/ with 3 folders, notebook, link
    for rel in ("gradebook.db", "grades.csv", "grades_canvas.csv", "autograded",
                "autograded/alice/lecture02/00_start_here.ipynb"):
        st = (course / rel).lstat()
        assert (st.st_uid, st.st_gid) == OWNER, rel
    assert (course / "autograded/alice/lecture02/link.txt").lstat().st_uid == OWNER[0]
    assert (course / "outside.txt").stat().st_uid == 0  # the link was not followed
    assert (course / "solutions").stat().st_uid == 0
    assert give_back(course, owner=OWNER) == 0  # nothing left to change


def test_the_instructor_is_the_sudo_user_else_the_owner_of_the_course(tmp_path, monkeypatch):
    for name in ("SUDO_UID", "SUDO_GID", "SUDO_USER"):
        monkeypatch.delenv(name, raising=False)
    assert instructor(tmp_path) is None  # root's own folder: nothing to give back
    os.chown(tmp_path, *OWNER)
    assert instructor(tmp_path) == OWNER
    monkeypatch.setenv("SUDO_UID", "1234")
    monkeypatch.setenv("SUDO_GID", "1235")
    assert instructor(tmp_path) == (1234, 1235)
    monkeypatch.delenv("SUDO_UID")
    monkeypatch.delenv("SUDO_GID")
    monkeypatch.setenv("SUDO_USER", "no-such-user-here")
    with pytest.raises(ValueError, match="SUDO_USER"):
        instructor(tmp_path)
