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

``SECURITY.md`` in this directory states what is guaranteed and how to configure it.
"""
