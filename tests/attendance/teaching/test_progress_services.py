"""Progress services (attendance/teaching/progress/services.py): a teacher proposes the
next level, the office confirms or declines once, or sets a level; the database refuses
what a row can state (one open proposal per student and instrument, a decision with its
who and when, a reason for a decline)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance.teaching.progress import selectors, services
from attendance.teaching.progress.models import LevelChange
from tests.attendance.teaching.progress_helpers import ladder, proposal, taught
from tests.factories import InstrumentFactory, LevelFactory, StudentFactory

Status = LevelChange.Status


@pytest.fixture
def levels(db):
    return ladder()


@pytest.fixture
def pupil(student, teacher, levels):
    """The `student` fixture's profile, in the teacher's Beginner batch."""
    taught(student.student, teacher, levels[0])
    return student.student


def propose(pupil, teacher, levels, note=""):
    return services.propose_move(
        student_id=pupil.pk, instrument_id=levels[0].instrument_id, by=teacher, note=note
    )


# --- Proposing ---------------------------------------------------------------------------


def test_a_teacher_proposes_the_next_level_from_the_batchs_level(pupil, teacher, levels):
    change = propose(pupil, teacher, levels, note="  Scales hands together  ")
    change.refresh_from_db()
    assert (change.from_level, change.to_level) == (levels[0], levels[1])
    assert change.status == Status.PROPOSED
    assert change.note == "Scales hands together"
    assert change.proposed_by == teacher
    assert change.decided_by is None


def test_the_current_level_is_the_latest_confirmed_change(pupil, teacher, office_user, levels):
    change = propose(pupil, teacher, levels)
    services.confirm_move(change_id=change.pk, by=office_user)
    standing = selectors.standing_of(pupil.pk, levels[0].instrument_id)
    assert (standing.current, standing.from_batch, standing.next_level) == (
        levels[1],
        False,
        levels[2],
    )
    again = propose(pupil, teacher, levels)
    assert (again.from_level, again.to_level) == (levels[1], levels[2])


def test_no_level_known_proposes_the_first_level(student, teacher):
    levels = ladder("Sitar", ["Prarambhik", "Madhyama"])
    taught(student.student, teacher, None, instrument=levels[0].instrument)
    change = propose(student.student, teacher, levels)
    assert (change.from_level, change.to_level) == (None, levels[0])


def test_the_top_level_is_told_and_nothing_stored(student, teacher, levels):
    taught(student.student, teacher, levels[2])
    with pytest.raises(ValidationError, match="already at the top level of Veena"):
        propose(student.student, teacher, levels)
    assert not LevelChange.objects.exists()


def test_an_open_proposal_is_told_and_nothing_more_stored(pupil, teacher, levels):
    propose(pupil, teacher, levels)
    with pytest.raises(ValidationError, match="already waiting for the office"):
        propose(pupil, teacher, levels)
    assert LevelChange.objects.count() == 1


def test_a_teacher_who_does_not_teach_the_student_is_refused(pupil, other_teacher, levels):
    with pytest.raises(ValidationError, match="You do not teach"):
        propose(pupil, other_teacher, levels)
    assert not LevelChange.objects.exists()


def test_a_teacher_proposes_only_on_an_instrument_they_teach_the_student(pupil, teacher, levels):
    other = ladder("Mridangam", ["One", "Two"])
    with pytest.raises(ValidationError, match="You do not teach"):
        services.propose_move(student_id=pupil.pk, instrument_id=other[0].instrument_id, by=teacher)


@pytest.mark.dates
def test_an_ended_enrolment_or_inactive_batch_is_not_teaching(student, teacher, levels):
    batch = taught(student.student, teacher, levels[0])
    enrolment = batch.enrollments.get()
    enrolment.left_on = timezone.localdate() - timedelta(days=1)
    enrolment.joined_on = min(enrolment.joined_on, enrolment.left_on)
    enrolment.save()
    with pytest.raises(ValidationError, match="You do not teach"):
        propose(student.student, teacher, levels)
    enrolment.left_on = timezone.localdate()  # the leaving day is still taught
    enrolment.save()
    assert propose(student.student, teacher, levels).pk
    LevelChange.objects.all().delete()
    batch.is_active = False
    batch.save()
    with pytest.raises(ValidationError, match="You do not teach"):
        propose(student.student, teacher, levels)


def test_a_note_longer_than_300_characters_is_refused(pupil, teacher, levels):
    with pytest.raises(ValidationError, match="too long"):
        propose(pupil, teacher, levels, note="x" * 301)
    assert not LevelChange.objects.exists()


# --- Deciding ----------------------------------------------------------------------------


def test_the_office_confirms_once_and_a_second_decision_is_refused(
    pupil, teacher, office_user, admin_user, levels
):
    change = propose(pupil, teacher, levels)
    services.confirm_move(change_id=change.pk, by=office_user)
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (Status.CONFIRMED, office_user)
    decided_at = change.decided_at
    with pytest.raises(ValidationError, match="already confirmed by Omana Office"):
        services.confirm_move(change_id=change.pk, by=admin_user)
    with pytest.raises(ValidationError, match="already confirmed"):
        services.decline_move(change_id=change.pk, by=admin_user, reason="No")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decided_at) == (
        Status.CONFIRMED,
        office_user,
        decided_at,
    )


def test_a_decline_needs_a_reason_and_leaves_the_level(pupil, teacher, office_user, levels):
    change = propose(pupil, teacher, levels)
    with pytest.raises(ValidationError, match="Say why"):
        services.decline_move(change_id=change.pk, by=office_user, reason="   ")
    change.refresh_from_db()
    assert change.status == Status.PROPOSED
    services.decline_move(change_id=change.pk, by=office_user, reason="Needs a term more")
    change.refresh_from_db()
    assert (change.status, change.reason) == (Status.DECLINED, "Needs a term more")
    standing = selectors.standing_of(pupil.pk, levels[0].instrument_id)
    assert standing.current == levels[0]
    assert standing.open is None
    # Declined: the teacher may propose again later.
    assert propose(pupil, teacher, levels).to_level == levels[1]


def test_a_decided_change_is_never_edited(pupil, teacher, office_user, levels):
    change = propose(pupil, teacher, levels)
    services.confirm_move(change_id=change.pk, by=office_user)
    change.refresh_from_db()
    change.note = "rewritten"
    with pytest.raises(ValidationError, match="cannot be edited"):
        change.save()
    assert LevelChange.objects.get().note == ""


# --- The office sets a level -------------------------------------------------------------


def test_the_office_sets_a_level_recorded_as_confirmed(pupil, office_user, levels):
    change = services.set_level(
        student_id=pupil.pk, level_id=levels[2].pk, by=office_user, note="Placement test"
    )
    change.refresh_from_db()
    assert (change.status, change.from_level, change.to_level) == (
        Status.CONFIRMED,
        levels[0],
        levels[2],
    )
    assert change.proposed_by == change.decided_by == office_user
    assert selectors.standing_of(pupil.pk, levels[0].instrument_id).current == levels[2]


def test_setting_a_level_waits_for_an_open_proposal_and_refuses_the_same_level(
    pupil, teacher, office_user, levels
):
    with pytest.raises(ValidationError, match="already at Veena · Beginner"):
        services.set_level(student_id=pupil.pk, level_id=levels[0].pk, by=office_user)
    propose(pupil, teacher, levels)
    with pytest.raises(ValidationError, match="confirm or decline it first"):
        services.set_level(student_id=pupil.pk, level_id=levels[2].pk, by=office_user)
    assert LevelChange.objects.count() == 1


def test_a_level_on_an_instrument_not_enrolled_starts_its_history(student, office_user):
    levels = ladder("Flute", ["Basics", "Ragas"])
    services.set_level(student_id=student.pk, level_id=levels[1].pk, by=office_user)
    (standing,) = selectors.standings([student.pk])[student.pk]
    assert (standing.instrument.name, standing.current, standing.next_level) == (
        "Flute",
        levels[1],
        None,
    )


def test_later_decisions_win_whatever_the_proposal_order(pupil, teacher, office_user, levels):
    first = propose(pupil, teacher, levels)
    services.confirm_move(change_id=first.pk, by=office_user)
    services.set_level(student_id=pupil.pk, level_id=levels[0].pk, by=office_user)
    assert selectors.standing_of(pupil.pk, levels[0].instrument_id).current == levels[0]


# --- What the database holds ---------------------------------------------------------------


def test_the_database_holds_one_open_proposal_per_student_and_instrument(db, levels):
    first = proposal(levels=levels)
    with pytest.raises(IntegrityError), transaction.atomic():
        proposal(student=first.student, levels=levels)
    # Decided changes do not count: a second one after a decision is fine.
    LevelChange.objects.filter(pk=first.pk).update(
        status=Status.DECLINED, decided_by=first.proposed_by, decided_at=timezone.now(), reason="x"
    )
    assert proposal(student=first.student, levels=levels).pk


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "confirmed"},  # decided without who and when
        {"status": "declined", "decided_at": "now", "decided_by": "teacher"},  # no reason
        {"decided_at": "now"},  # open with a decision time
    ],
)
def test_the_database_refuses_a_decision_without_its_facts(db, levels, fields):
    change = proposal(levels=levels)
    values = {
        key: timezone.now() if v == "now" else change.proposed_by if v == "teacher" else v
        for key, v in fields.items()
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        LevelChange.objects.filter(pk=change.pk).update(**values)


def test_the_database_refuses_a_move_to_the_same_level(db, levels):
    change = proposal(levels=levels)
    with pytest.raises(IntegrityError), transaction.atomic():
        LevelChange.objects.filter(pk=change.pk).update(to_level=levels[0])


def test_a_level_of_another_instrument_is_refused_by_clean(db, levels):
    change = proposal(levels=levels)
    change.to_level = LevelFactory(instrument=InstrumentFactory(name="Ghatam"))
    with pytest.raises(ValidationError, match="is not a level of Veena"):
        change.clean()


def test_standings_cost_three_queries_at_any_size(
    teacher, office_user, levels, django_assert_num_queries
):
    students = [StudentFactory() for _ in range(2)]
    for student in students:
        taught(student, teacher, levels[0])
    with django_assert_num_queries(3):
        selectors.standings([s.pk for s in students])
    ghatam = ladder("Ghatam", ["A", "B"])
    for _ in range(8):
        student = StudentFactory()
        students.append(student)
        taught(student, teacher, levels[0])
        taught(student, teacher, ghatam[0])
        change = propose(student, teacher, levels)
        services.confirm_move(change_id=change.pk, by=office_user)
    with django_assert_num_queries(3):
        found = selectors.standings([s.pk for s in students])
    ghatam_now, veena_now = found[students[-1].pk]  # by instrument name
    assert (ghatam_now.current, veena_now.current) == (ghatam[0], levels[1])
