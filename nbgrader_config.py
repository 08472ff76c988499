"""nbgrader settings for the lecture-02 workbook (read by every `nbgrader` command run here).

Layout: `solutions/lecture02/` is the instructor source (solutions + hidden tests),
`notebooks/lecture02/` the generated student release, `submitted/<student>/lecture02/`
the collected submissions, `autograded/` and `feedback/` nbgrader's outputs.
"""

import warnings

from sqlalchemy.exc import SAWarning

c = get_config()  # noqa: F821  (injected by nbgrader)

# nbgrader's gradebook code triggers this SQLAlchemy warning for every submission; it is
# harmless (nbgrader adds the objects explicitly) and would bury the warnings that matter.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session",
                        category=SAWarning)

# --- course layout -------------------------------------------------------------------------
c.CourseDirectory.course_id = "nn-lecture02"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Only notebooks and what they need travel with the release (no checkpoints, no caches).
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store", "*.keras",
    "*.weights.h5", "*.h5", "logs",
]


# --- execution under grading ---------------------------------------------------------------
# Per-cell limit: the slowest solution cell runs in a few seconds; a student's cell that
# loops forever is interrupted after this and costs only the cells that depend on it.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# A deleted graded cell comes back from the gradebook and is scored (nbgrader PR #1770).
c.OverwriteCells.add_missing_cells = True

# --- integrity and isolation (course_grader/SECURITY.md) ----------------------------
# Before nbgrader's own checks, every graded cell's metadata is rebuilt from the gradebook,
# so one tampered or duplicated cell never aborts the batch for everybody.
c.Autograde.sanitize_preprocessors = [
    "course_grader.preflight.NormalizeSubmission",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    # nbgrader's OverwriteCells, quiet about the hidden tests every release lacks; every other
    # change is a warning naming the student (course_grader/overwrite_cells.py)
    "course_grader.overwrite_cells.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Student code runs in a sandboxed kernel (bubblewrap + prlimit + setpriv: no network, no
# course files, a fresh unprivileged uid, memory/process/time limits); a kernel that dies or
# ignores interrupts costs only the cell it was running. Needs root and `bwrap` (Debian
# package bubblewrap); without them grading refuses to run student code and says why.
c.Autograde.autograde_preprocessors = [
    "course_grader.sandbox.execute.SandboxedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.SandboxedExecute.notebook_timeout = 300  # whole-notebook limit, seconds
# The instructor's demo cells (plots, printed examples, training, Keras comparisons) that no
# graded, answer, setup or student-added cell needs are not run; the log counts them.
c.SandboxedExecute.skip_unneeded_cells = True
# A submitted file that is not a readable notebook is graded as an empty notebook (its graded
# cells score 0) instead of failing the student's other notebooks too.
c.Autograde.exporter_class = "course_grader.unreadable.TolerantNotebookExporter"
# A run that crashed mid-student grades that student again on the next run.
c.Autograde.post_convert_hook = "course_grader.preflight.mark_graded"

# Any stderr in a graded cell scores 0 in nbgrader (utils.determine_grade). A test failure is
# an `error` output, never stderr, so stderr (TensorFlow/absl log lines, Python warnings)
# carries no grading information and must never cost a correct answer its points.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"  # any non-empty stderr text

# --- due date, late policy and export (docs/instructors.md) --------------------------------
# The due date lives in the gradebook, set once per assignment (UTC, or with an offset):
#     nbgrader db assignment add lecture02 --duedate="2026-11-21 00:00:00 UTC"
# A submission's lateness is its timestamp.txt minus that date; each notebook of a late
# submission loses percent_per_day of its score per started day after the grace period.
c.AssignLatePenalties.plugin_class = "course_grader.late.PercentPerDay"
c.PercentPerDay.percent_per_day = 10.0
c.PercentPerDay.max_percent = 100.0
c.PercentPerDay.grace_minutes = 15.0
# `nbgrader export` (make export) writes grades.csv with per-notebook, per-question and late
# penalty columns, joined with the imported roster, plus grades_moodle.csv and grades_canvas.csv.
c.ExportApp.plugin_class = "course_grader.export.GradesExport"
c.GradesExport.lms_item = "Lecture 2 workbook"

# --- feedback ------------------------------------------------------------------------------
# Hidden tests, tracebacks and student outputs stay out of what students get back
# (course_grader/feedback.py); the autograded notebooks keep everything.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course_grader.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
