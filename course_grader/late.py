"""The course's late policy: a share of each notebook's score per started day late.

nbgrader computes how late a submission is from the assignment's due date (set with
``nbgrader db assignment add lecture02 --duedate="2026-11-21 00:00:00 UTC"``) and the
submission's ``timestamp.txt``; its own ``LateSubmissionPlugin`` only knows "no penalty" and
"zero". :class:`PercentPerDay` takes ``percent_per_day`` of the notebook's score for each
started day after the due date and a grace period, at most ``max_percent``::

    penalty = score * min(max_percent, percent_per_day * ceil((late - grace) / 1 day)) / 100

Configure it in ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "course_grader.late.PercentPerDay"
    c.PercentPerDay.percent_per_day = 10.0
    c.PercentPerDay.max_percent = 100.0
    c.PercentPerDay.grace_minutes = 15.0

The penalty is stored per notebook in the gradebook (``late_submission_penalty``) and shows in
``grades.csv`` (``course_grader.export``).

>>> plugin = PercentPerDay(percent_per_day=10.0, grace_minutes=0.0)
>>> plugin.late_submission_penalty("alice", 6.0, 30 * 3600)  # 30 h late: 2 started days
1.2
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

__all__ = ["PercentPerDay"]

_DAY = 24 * 3600.0


class PercentPerDay(LateSubmissionPlugin):
    """Take ``percent_per_day`` of the score per started day late, at most ``max_percent``."""

    percent_per_day = Float(
        10.0, help="Percent of the notebook's score taken per started day late.",
    ).tag(config=True)
    max_percent = Float(
        100.0, help="The largest penalty, in percent of the notebook's score.").tag(config=True)
    grace_minutes = Float(
        0.0, help="Minutes after the due date that cost nothing (upload delays).",
    ).tag(config=True)

    def late_days(self, total_seconds_late: float) -> int:
        """Started days late after the grace period (0 when within it)."""
        late = float(total_seconds_late) - 60.0 * self.grace_minutes
        return math.ceil(late / _DAY) if late > 0 else 0

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float:
        percent = min(self.max_percent, self.percent_per_day * self.late_days(total_seconds_late))
        penalty = round(float(score or 0.0) * max(percent, 0.0) / 100.0, 6)
        self.log.info("%s: %d day(s) late, penalty %g of %g points (%g%%)", student_id,
                      self.late_days(total_seconds_late), penalty, score or 0.0, percent)
        return penalty
