"""Reads for progress: where a student stands on each instrument, the history, the queue.

The current level on an instrument is the latest confirmed change (by decision time).
Before any change, it is the level of the batch the student is enrolled in (an enrolment
not ended, in an active batch; the highest such level when there are several): a student
enrolled in "Keyboard Intermediate" starts at Intermediate, so the teacher can propose
Advanced without the office first recording where everyone stands. Each function costs
a fixed number of queries, whatever the number of students, changes or enrolments.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from attendance.models import Enrollment, Instrument, Level
from attendance.teaching.progress.models import LevelChange
from musicbeats.enrolment import not_ended_by

QUEUE_PER_PAGE = 25


@dataclass
class Standing:
    """A student on one instrument: the level now, where it comes from, what comes next."""

    student_id: int
    instrument: Instrument
    current: Level | None = None
    from_batch: bool = False  # the current level is the batch's (no confirmed change yet)
    next_level: Level | None = None
    open: LevelChange | None = None
    history: list = field(default_factory=list)  # decided and open changes, oldest first
    declined: LevelChange | None = None  # the last change, when it was declined
    taught_by: set = field(default_factory=set)  # teacher ids with an open enrolment here

    @property
    def dom_id(self) -> str:
        return f"progress-{self.student_id}-{self.instrument.pk}"


def taught_enrolments(student_ids, *, teacher=None):
    """Enrolments not ended by today in active batches (a teacher's own, if given)."""
    rows = Enrollment.objects.filter(
        not_ended_by(timezone.localdate()), student_id__in=student_ids, batch__is_active=True
    )
    if teacher is not None:
        rows = rows.filter(batch__teacher=teacher)
    return rows


def _ladder(levels) -> dict[int, list[Level]]:
    ladder = defaultdict(list)
    for level in sorted(levels, key=lambda lv: (lv.position, lv.name, lv.pk)):
        ladder[level.instrument_id].append(level)
    return ladder


def _standings(student_ids, enrolments, changes, levels) -> dict[int, list[Standing]]:
    """Pure: build each student's standings from rows already fetched."""
    ladder = _ladder(levels)
    instruments = {lv.instrument_id: lv.instrument for lv in levels}
    found: dict[tuple, Standing] = {}

    def standing(student_id, instrument):
        key = (student_id, instrument.pk)
        if key not in found:
            found[key] = Standing(student_id=student_id, instrument=instrument)
        return found[key]

    for enrolment in enrolments:
        batch = enrolment.batch
        one = standing(enrolment.student_id, instruments.get(batch.instrument_id, batch.instrument))
        one.taught_by.add(batch.teacher_id)
        level = batch.level
        if level and (one.current is None or level.position > one.current.position):
            one.current, one.from_batch = level, True
    for change in sorted(changes, key=lambda c: (c.decided_at or c.proposed_at, c.pk)):
        one = standing(change.student_id, instruments.get(change.instrument_id, change.instrument))
        one.history.append(change)
        if change.status == LevelChange.Status.CONFIRMED:
            one.current, one.from_batch = change.to_level, False
        elif change.is_open:
            one.open = change
        one.declined = change if change.status == LevelChange.Status.DECLINED else None
    for one in found.values():
        steps = ladder.get(one.instrument.pk, [])
        at = next((i for i, lv in enumerate(steps) if lv == one.current), None)
        one.next_level = steps[0] if one.current is None and steps else None
        if at is not None and at + 1 < len(steps):
            one.next_level = steps[at + 1]
    result = {pk: [] for pk in student_ids}
    for (student_id, _), one in sorted(found.items(), key=lambda kv: kv[1].instrument.name):
        result.setdefault(student_id, []).append(one)
    return result


def standings(student_ids, *, teacher=None) -> dict[int, list[Standing]]:
    """Each student's standing per instrument they are enrolled in or have a level on:
    three queries. With `teacher`, the instruments of that teacher's batches only (plus
    levels already recorded)."""
    student_ids = list(student_ids)
    enrolments = list(
        taught_enrolments(student_ids, teacher=teacher).select_related(
            "batch__instrument", "batch__level"
        )
    )
    changes = list(
        LevelChange.objects.filter(student_id__in=student_ids).select_related(
            "instrument", "from_level", "to_level", "proposed_by", "decided_by"
        )
    )
    instrument_ids = {e.batch.instrument_id for e in enrolments} | {
        c.instrument_id for c in changes
    }
    levels = list(
        Level.objects.filter(instrument_id__in=instrument_ids).select_related("instrument")
    )
    return _standings(student_ids, enrolments, changes, levels)


def standing_of(student_id: int, instrument_id: int) -> Standing | None:
    """One student's standing on one instrument (three queries), or None."""
    for one in standings([student_id]).get(student_id, []):
        if one.instrument.pk == instrument_id:
            return one
    return None


def level_choices():
    """Levels of active instruments, for the office's "Set level" list: one query."""
    return Level.objects.filter(instrument__is_active=True).select_related("instrument")


def open_proposals():
    """The office's queue: open proposals, oldest first (page it: QUEUE_PER_PAGE)."""
    return (
        LevelChange.objects.filter(status=LevelChange.Status.PROPOSED)
        .select_related("student__user", "instrument", "from_level", "to_level", "proposed_by")
        .order_by("proposed_at", "id")
    )


def change_for_row(pk: int) -> LevelChange:
    """One change with what its queue row shows."""
    return LevelChange.objects.select_related(
        "student__user", "instrument", "from_level", "to_level", "proposed_by", "decided_by"
    ).get(pk=pk)


def teaches(teacher, student_id: int, instrument_id: int | None = None) -> bool:
    """Whether `teacher` teaches the student now (on that instrument, if given)."""
    rows = taught_enrolments([student_id], teacher=teacher)
    if instrument_id is not None:
        rows = rows.filter(Q(batch__instrument_id=instrument_id))
    return rows.exists()


def office_progress(student_id: int, *, form=None) -> dict:
    """The office's section of a student's page: each instrument's history and level
    (three queries) and the "Set level" form's list (one)."""
    from attendance.teaching.progress.forms import SetLevelForm

    levels = list(level_choices())
    return {
        "standings": standings([student_id])[student_id],
        "form": form or SetLevelForm(levels=levels),
        "student_id": student_id,
    }
