"""Grade the students of an assignment concurrently into one gradebook (``make autograde
JOBS=N``).

``nbgrader autograde`` grades one student after the other in one process, and so uses one
core. This runs ``jobs`` worker processes; each loads the course's ``nbgrader_config.py`` once
and grades one student at a time through nbgrader's own API (``NbGraderAPI.autograde``, what
the formgrader calls), so every student is graded exactly as ``nbgrader autograde --student``
would grade them, with the sandbox and the re-check. TensorFlow and nbgrader are imported
once per worker, not once per student.

* **One gradebook.** The workers write to the same gradebook; with sqlite each connection
  waits for another's write instead of failing with "database is locked" (``timeout`` in the
  database URL, :func:`patient_db_url`); PostgreSQL needs nothing. On several machines:
  :mod:`course_grader.distributed` (Dask) grades with the same :func:`grade_one`.
* **Progress.** A line per graded student: how many are done, how long they took, and the
  estimated time left and end of the run.
* **Nothing is lost.** A worker that dies (killed, out of memory) costs only the student it was
  grading: that student is reported as failed, a new worker takes over the rest, and the next
  run grades the student again (nbgrader skips only students whose grading finished, see
  :func:`course_grader.preflight.mark_graded`).

Usage::

    python -m course_grader.parallel lecture02 --jobs 2 [--student ID] [--notebook NB]
        [--force]

Exit status 0 when every student was graded, 1 otherwise (the failures are listed).
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from pathlib import Path

__all__ = ["grade_one", "grade_students", "grading_api", "main", "patient_db_url",
           "students_of", "students_to_grade"]

#: seconds a sqlite connection waits for another worker's write before it gives up
SQLITE_WAIT_S = 600


def patient_db_url(url: str) -> str:
    """``url`` with a busy timeout when it is sqlite (and has none): concurrent writers wait
    for each other instead of raising "database is locked"."""
    if not url.startswith("sqlite:") or "timeout=" in url:
        return url
    return f"{url}{'&' if '?' in url else '?'}timeout={SQLITE_WAIT_S}"


def students_of(course: Path, assignment: str, submitted: str = "submitted") -> list[str]:
    """The students who handed in ``assignment`` (a folder ``submitted/<id>/<assignment>``)."""
    folder = course / submitted
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir())


def students_to_grade(course: Path, assignment: str, only: str | None = None) -> list[str]:
    """Everybody who handed in ``assignment``, or only the student ``only`` (``--student``);
    a ValueError names ``--student`` when that student handed nothing in."""
    students = students_of(course, assignment)
    if only is None:
        return students
    if only not in students:
        raise ValueError(f"--student: no submission of {assignment} by {only!r} in "
                         f"{course / 'submitted'}; handed in: {', '.join(students) or 'nobody'}.")
    return [only]


def _load_config(course: Path, notebook: str | None):
    """The configuration ``nbgrader autograde`` run in ``course`` would use (the course's
    ``nbgrader_config.py`` and Jupyter's config paths), with the worker's own settings."""
    from nbgrader.apps.nbgraderapp import NbGraderApp

    app = NbGraderApp()
    app.initialize([])
    config = app.config
    config.CourseDirectory.root = str(course)
    if notebook:
        config.CourseDirectory.notebook_id = notebook
    url = config.CourseDirectory.get("db_url") or f"sqlite:///{course / 'gradebook.db'}"
    config.CourseDirectory.db_url = patient_db_url(str(url))
    return config


def grading_api(course: Path, notebook: str | None = None):
    """nbgrader's API for ``course`` as ``nbgrader autograde`` run there would configure it
    (the process moves into the course folder: nbgrader resolves paths from there)."""
    os.chdir(course)
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = _load_config(Path(course), notebook)
    return NbGraderAPI(CourseDirectory(config=config), config=config)


def grade_one(api, assignment: str, student: str, force: bool = False) -> dict:
    """Grade one student with ``api``; {"ok", "seconds", "log", "error"} (never raises)."""
    started = time.monotonic()
    try:
        out = api.autograde(assignment, student, force=force, create=True)
    except Exception as e:  # noqa: BLE001 - reported for this student, the worker goes on
        out = {"success": False, "error": f"{type(e).__name__}: {e}"}
    return {"ok": bool(out.get("success")), "seconds": time.monotonic() - started,
            "log": out.get("log", ""), "error": out.get("error", "")}


def _worker(course: str, assignment: str, notebook: str | None, force: bool,
            tasks, results) -> None:
    """Grade the students the parent sends on ``tasks`` until it sends None; report each on
    ``results``, this worker's own pipe (a worker killed mid-report breaks only its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    api = grading_api(Path(course), notebook)
    kill_at = os.environ.get("COURSE_GRADING_KILL_WORKER_AT")  # fault injection for the tests
    while (student := tasks.get()) is not None:
        if student == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        results.send((student, grade_one(api, assignment, student, force)))


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _report(student: str, result: dict, done: int, total: int, jobs: int,
            started: float, out=sys.stdout) -> None:
    elapsed = time.monotonic() - started
    left = elapsed / done * (total - done) if done else 0.0
    end = time.strftime("%H:%M", time.localtime(time.time() + left))
    state = "graded" if result["ok"] else "FAILED"
    eta = f"about {_clock(left)} left (done at {end})" if done < total else "all done"
    print(f"[{done}/{total}] {student}: {state} in {result['seconds']:.0f} s; {jobs} jobs, "
          f"{_clock(elapsed)} so far, {eta}", file=out, flush=True)
    for line in result["log"].splitlines():  # what matters; the full log stays with the API
        if line.startswith(("[WARNING]", "[ERROR]", "[CRITICAL]")):
            print(f"    {student}: {line}", file=sys.stderr, flush=True)
    if not result["ok"] and result["error"]:
        print(f"    {student}: {result['error'].strip().splitlines()[-1]}", file=sys.stderr,
              flush=True)


def grade_students(course: Path, assignment: str, students: list[str], *, jobs: int,
                   notebook: str | None = None, force: bool = False) -> dict[str, dict]:
    """Grade ``students`` with ``jobs`` workers; return student -> {"ok", "seconds", ...}.

    Each worker has its own task queue and gets its next student when it reports the last
    one, so the parent always knows who a worker is grading when it dies. Each worker reports
    on a pipe of its own: one killed in the middle of a report (holding a shared queue's lock,
    it would silence every other worker) costs only the student it was grading."""
    ctx = multiprocessing.get_context("spawn")  # workers start clean: no inherited threads
    pending = list(students)
    jobs = max(1, min(jobs, len(students)))
    workers: dict[int, tuple] = {}  # pid -> (process, its task queue, its result pipe)
    current: dict[int, str] = {}  # pid -> the student it is grading
    out: dict[str, dict] = {}
    started = time.monotonic()
    idle_deaths = 0  # workers that died between students: a broken set-up, not a student

    def give_work(pid: int) -> None:
        tasks = workers[pid][1]
        if pending:
            current[pid] = pending.pop(0)
            tasks.put(current[pid])
        else:
            tasks.put(None)

    def start_worker() -> None:
        tasks = ctx.Queue()
        reader, writer = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_worker, args=(str(course), assignment, notebook, force, tasks,
                                              writer), daemon=True)
        p.start()
        writer.close()  # the worker holds the only writing end: its death ends the pipe
        workers[p.pid] = (p, tasks, reader)
        give_work(p.pid)

    def fail(student: str, why: str) -> None:
        out[student] = {"ok": False, "seconds": 0.0, "log": "", "error": why}
        _report(student, out[student], len(out), len(students), jobs, started)

    def reap() -> None:
        nonlocal idle_deaths
        for pid, (p, _, reader) in list(workers.items()):
            if p.is_alive():
                continue
            receive(pid)  # a report it finished before it died still counts
            del workers[pid]
            reader.close()
            lost = current.pop(pid, None)
            if lost is None:
                idle_deaths += 1
            else:
                fail(lost, f"the grading worker died (exit code {p.exitcode}) while grading "
                           "this student; grade again to finish")
            if pending and idle_deaths <= 3 * jobs:
                start_worker()

    def receive(pid: int) -> None:
        """Take the report waiting on a worker's pipe, if a whole one is there."""
        reader = workers[pid][2]
        try:
            if not reader.poll():
                return
            student, result = reader.recv()
        except (EOFError, OSError):  # died before or in the middle of a report
            return
        if current.get(pid) == student:
            del current[pid]
            out[student] = result
            _report(student, result, len(out), len(students), jobs, started)
            if workers[pid][0].is_alive():
                give_work(pid)

    for _ in range(jobs):
        start_worker()
    try:
        while len(out) < len(students):
            readers = {w[2]: pid for pid, w in workers.items()}
            for ready in multiprocessing.connection.wait(list(readers), timeout=1.0):
                receive(readers[ready])
            reap()
            if not workers:
                for student in [*pending, *current.values()]:  # nobody left to grade them
                    fail(student, "no grading worker could start")
                pending.clear()
                break
    finally:
        for pid, (p, tasks, _) in workers.items():
            if pid in current or p.is_alive():
                tasks.put(None)
        for p, _, _ in workers.values():
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="students graded at once (default: the number of cores)")
    parser.add_argument("--student", help="grade only this student")
    parser.add_argument("--notebook", help="grade only this notebook (name without .ipynb)")
    parser.add_argument("--force", action="store_true", help="grade again what is graded")
    parser.add_argument("--course", default=".", help="the course directory (default: here)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs: expected a number of worker processes >= 1; received "
                     f"{args.jobs}. Hint: JOBS=1 grades one student at a time.")
    from course_grader.gradebook_url import check_db_url, course_db_url

    course = Path(args.course).resolve()
    try:
        students = students_to_grade(course, args.assignment, args.student)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    if not students:
        print(f"Nobody handed in {args.assignment} (nothing in {course / 'submitted'}).")
        return 0
    try:
        check_db_url(course_db_url(course))
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    jobs = min(args.jobs, len(students))
    print(f"Grading {len(students)} student(s) of {args.assignment} with {jobs} job(s).",
          flush=True)
    results = grade_students(course, args.assignment, students, jobs=jobs,
                             notebook=args.notebook, force=args.force)
    failed = sorted(s for s, r in results.items() if not r["ok"])
    if failed:
        print(f"Not graded: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
