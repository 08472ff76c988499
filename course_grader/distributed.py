"""Grade an assignment on grading workers of several machines: one Dask task per student.

The workers of a Dask distributed cluster (``dask worker``, dask-jobqueue's SLURMCluster,
dask-kubernetes' KubeCluster; docs/scale.md) share the course directory (a shared file system
mounted at the same path everywhere) and the gradebook (PostgreSQL, ``c.CourseDirectory.db_url``
in ``nbgrader_config.py``). Each task grades one student exactly as ``make autograde JOBS=N``
does (:func:`course_grader.parallel.grade_one`, nbgrader's API with the sandbox and the
re-check); a worker builds nbgrader's API once per course and keeps it for its next students.
Each worker needs what the sandbox needs: root and bubblewrap, one thread (``--nthreads 1``:
grading moves the process into the course folder).

* **Progress.** A line per graded student, as ``course_grader.parallel`` prints it.
* **Nothing is lost.** A task that fails (an error, or its worker died and Dask gave up on
  it) is reported for that student; the next run grades the student again (nbgrader skips
  only students whose grading finished).

Usage::

    python -m course_grader.distributed lecture02 --scheduler tcp://HOST:8786
    python -m course_grader.distributed lecture02 --local 4      # a LocalCluster, 4 processes
        [--student ID] [--notebook NB] [--force] [--course DIR]

Exit status 0 when every student was graded, 1 otherwise (the failures are listed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

from course_grader import parallel

__all__ = ["grade_on_worker", "grade_students_on", "main"]

_APIS: dict[tuple[str, str | None], object] = {}  # per worker process: (course, notebook) -> API


def grade_on_worker(course: str, assignment: str, student: str, notebook: str | None,
                    force: bool) -> dict:
    """The task: grade ``student`` in ``course`` on this worker (see parallel.grade_one)."""
    if not Path(course, "nbgrader_config.py").is_file():
        raise FileNotFoundError(
            f"course: expected the course directory {course} (with nbgrader_config.py) on "
            f"worker {os.uname().nodename}; it is not there. Hint: mount the shared course "
            "directory at the same path on every worker.")
    key = (course, notebook)
    if key not in _APIS:
        _APIS[key] = parallel.grading_api(Path(course), notebook)
    result = parallel.grade_one(_APIS[key], assignment, student, force)
    result["worker"] = f"{os.uname().nodename}:{os.getpid()}"
    return result


def grade_students_on(client, course: Path, assignment: str, students: list[str], *,
                      notebook: str | None = None, force: bool = False) -> dict[str, dict]:
    """Grade ``students`` on ``client``'s cluster; return student -> {"ok", "seconds", ...}."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {
        client.submit(grade_on_worker, str(course), assignment, student, notebook, force,
                      key=f"grade-{assignment}-{student}-{run}", pure=False, retries=0): student
        for student in students}
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    started = time.monotonic()
    out: dict[str, dict] = {}
    for future in as_completed(futures):
        student = futures[future]
        try:
            result = future.result()
        except Exception as e:  # noqa: BLE001 - reported for this student, the others go on
            result = {"ok": False, "seconds": 0.0, "log": "",
                      "error": f"the grading task failed ({type(e).__name__}: {e}); "
                               "grade again to finish"}
        out[student] = result
        parallel._report(student, result, len(out), len(students), workers, started)
    return out


def _client(args):
    from distributed import Client, LocalCluster

    if args.scheduler:
        return Client(args.scheduler, timeout=args.connect_timeout), None
    cluster = LocalCluster(n_workers=args.local, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="the Dask scheduler, e.g. tcp://HOST:8786")
    where.add_argument("--local", type=int, metavar="N",
                       help="start a local cluster of N worker processes instead")
    parser.add_argument("--student", help="grade only this student")
    parser.add_argument("--notebook", help="grade only this notebook (name without .ipynb)")
    parser.add_argument("--force", action="store_true", help="grade again what is graded")
    parser.add_argument("--course", default=".",
                        help="the course directory, the same path on every worker (default: "
                             "here)")
    parser.add_argument("--connect-timeout", default="30s", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.local is not None and args.local < 1:
        parser.error(f"--local: expected a number of worker processes >= 1; received "
                     f"{args.local}. Hint: --scheduler tcp://HOST:8786 uses a running cluster.")
    from course_grader.gradebook_url import check_db_url, course_db_url, is_sqlite

    course = Path(args.course).resolve()
    try:
        students = parallel.students_to_grade(course, args.assignment, args.student)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    if not students:
        print(f"Nobody handed in {args.assignment} (nothing in {course / 'submitted'}).")
        return 0
    url = course_db_url(course)
    try:
        check_db_url(url)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    if args.scheduler and is_sqlite(url):
        print("Warning: the gradebook is a sqlite file; workers on other machines writing it "
              "over a shared file system can corrupt it. Hint: a PostgreSQL gradebook "
              "(docs/scale.md).", file=sys.stderr)
    # nbgrader runs `alembic` from PATH; local workers inherit this environment
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    try:
        client, cluster = _client(args)
    except (OSError, TimeoutError) as e:
        print(f"--scheduler: expected a Dask scheduler at {args.scheduler}; could not connect "
              f"({type(e).__name__}: {e}). Hint: start one with `dask scheduler` and workers "
              "with `dask worker --nthreads 1 tcp://HOST:8786` (docs/scale.md).",
              file=sys.stderr)
        return 1
    try:
        workers = len(client.scheduler_info().get("workers", {}))
        print(f"Grading {len(students)} student(s) of {args.assignment} on {workers} Dask "
              f"worker(s).", flush=True)
        results = grade_students_on(client, course, args.assignment, students,
                                    notebook=args.notebook, force=args.force)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    failed = sorted(s for s, r in results.items() if not r["ok"])
    if failed:
        print(f"Not graded: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
