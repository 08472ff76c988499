"""Instructor tooling for grading the workbook with nbgrader.

Nothing is imported here on purpose, so ``import course_utils.grading`` stays cheap.

Modules
-------
``course_utils.grading.pipeline``
    Run the real nbgrader pipeline (generate, submit, autograde, export) on a course copy.
``course_utils.grading.preflight``
    :class:`~course_utils.grading.preflight.NormalizeSubmission`, an nbgrader preprocessor that
    repairs tampered or duplicated nbgrader cell metadata before nbgrader's own checks run, so one
    broken submission never aborts ``nbgrader autograde`` for everybody; ``mark_graded`` lets a
    rerun after a crash grade the half-graded student again.
``course_utils.grading.sandbox``
    :class:`~course_utils.grading.sandbox.SandboxKernelManager` (every kernel runs inside a
    bubblewrap sandbox: no network, no course files, not root, resource limits) and
    :class:`~course_utils.grading.sandbox.SandboxedExecute` (nbgrader's ``Execute`` plus a
    per-notebook time budget and recovery from dead or unresponsive kernels).
``course_utils.grading.parallel``
    ``make autograde JOBS=N``: several students graded at once into one gradebook, by worker
    processes that each grade one student at a time through nbgrader's own API.
``course_utils.grading.late``, ``course_utils.grading.export``
    The late policy (a share of the score per started day late) and the export plugin
    (``grades.csv`` per notebook and question, with late penalties and the roster; Moodle and
    Canvas import files).
``course_utils.grading.attention``, ``course_utils.grading.report``
    What needs the instructor's attention after a run (with the command that fixes it), and
    the instructor report (one HTML page with plots, plus CSV files).
``course_utils.grading.ownership``
    Gives what grading wrote into the course back to the instructor who ran ``sudo``.

The instructor's workflow is in ``docs/instructors.md``.
``SECURITY.md`` in this directory states what is guaranteed and how to configure it.
"""
