"""Instructor tooling for grading the workbook with nbgrader.

Nothing is imported here on purpose, so ``import course_grader`` stays cheap.

Modules
-------
``course_grader.pipeline``
    Run the real nbgrader pipeline (generate, submit, autograde, export) on a course copy.
``course_grader.preflight``
    :class:`~course_grader.preflight.NormalizeSubmission`, an nbgrader preprocessor that
    repairs tampered or duplicated nbgrader cell metadata before nbgrader's own checks run, so one
    broken submission never aborts ``nbgrader autograde`` for everybody; ``mark_graded`` lets a
    rerun after a crash grade the half-graded student again.
``course_grader.sandbox``
    :class:`~course_grader.sandbox.kernel_manager.SandboxKernelManager` (every kernel runs inside a
    bubblewrap sandbox: no network, no course files, not root, resource limits) and
    :class:`~course_grader.sandbox.execute.SandboxedExecute` (nbgrader's ``Execute`` plus a
    per-notebook time budget and recovery from dead or unresponsive kernels).
``course_grader.parallel``
    ``make autograde JOBS=N``: several students graded at once into one gradebook, by worker
    processes that each grade one student at a time through nbgrader's own API.
``course_grader.distributed``
    ``make autograde-dask``: the same per-student grading as one Dask task per student, on
    workers of several machines sharing the course folder and a PostgreSQL gradebook.
``course_grader.gradebook_url``, ``course_grader.migrate_gradebook``
    The course's gradebook URL (``c.CourseDirectory.db_url``, sqlite ``gradebook.db`` by
    default), checked with a clear error; copying a sqlite gradebook into PostgreSQL.
``course_grader.late``, ``course_grader.export``
    The late policy (a share of the score per started day late) and the export plugin
    (``grades.csv`` per notebook and question, with late penalties and the roster; Moodle and
    Canvas import files).
``course_grader.attention``, ``course_grader.report``
    What needs the instructor's attention after a run (with the command that fixes it), and
    the instructor report (one HTML page with plots, plus CSV files).
``course_grader.ownership``
    Gives what grading wrote into the course back to the instructor who ran ``sudo``.

The instructor's workflow is in ``docs/instructors.md``; a course team at scale in
``docs/scale.md``.
``SECURITY.md`` in this directory states what is guaranteed and how to configure it.
"""
