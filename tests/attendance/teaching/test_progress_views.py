"""Progress pages: the office's queue with htmx confirm/decline, a teacher's proposal
from the student's attendance page, the office's "Set level" on its student page; who may
post, the fragments, bad input (a clear message, nothing stored) and query budgets."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from attendance.teaching.progress.models import LevelChange
from tests.attendance.teaching.progress_helpers import ladder, proposal, taught
from tests.factories import LessonFactory, roster

HX = {"HTTP_HX_REQUEST": "true"}
Status = LevelChange.Status


@pytest.fixture
def levels(db):
    return ladder()


@pytest.fixture
def pupil(student, teacher, levels):
    taught(student.student, teacher, levels[0])
    return student.student


def said(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def propose_url(pupil):
    return reverse("progress:propose", args=[pupil.pk])


# --- The queue ----------------------------------------------------------------------------


def test_the_queue_lists_open_proposals_oldest_first(client, office_user, levels):
    older = proposal(levels=levels, note="Older one")
    newer = proposal(levels=levels, note="Newer one")
    decided = proposal(levels=levels, note="Decided one")
    decided.decide(status=Status.CONFIRMED, by=office_user)
    client.force_login(office_user)
    page = client.get(reverse("progress:queue")).content.decode()
    assert page.count("<h1") == 1
    assert page.index("Older one") < page.index("Newer one")
    assert "Decided one" not in page
    assert f'id="level-move-{older.pk}"' in page and f'id="level-move-{newer.pk}"' in page


def test_the_queue_pages_by_25_and_htmx_gets_the_list(client, office_user, levels):
    for i in range(26):
        proposal(levels=levels, note=f"Note {i:02d}")
    client.force_login(office_user)
    first = client.get(reverse("progress:queue")).content.decode()
    assert "Note 24" in first and "Note 25" not in first and "Page 1 of 2" in first
    second = client.get(reverse("progress:queue"), {"page": 2}, **HX).content.decode()
    assert "Note 25" in second and "Note 24" not in second
    assert "<h1" not in second and second.lstrip().startswith('<div id="level-moves">')


@pytest.mark.parametrize("page", ["0", "x", "999"])
def test_a_bad_page_number_shows_a_page(client, office_user, levels, page):
    proposal(levels=levels)
    client.force_login(office_user)
    assert client.get(reverse("progress:queue"), {"page": page}).status_code == 200


def test_confirm_by_htmx_answers_the_updated_row(client, office_user, levels):
    change = proposal(levels=levels)
    client.force_login(office_user)
    response = client.post(reverse("progress:confirm", args=[change.pk]), **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="level-move-{change.pk}"')
    assert "Confirmed" in body and "Omana Office" in body
    change.refresh_from_db()
    assert (change.status, change.decided_by_id) == (Status.CONFIRMED, office_user.pk)


def test_a_second_confirm_is_told_in_the_row_and_changes_nothing(client, admin_user, levels):
    change = proposal(levels=levels)
    client.force_login(admin_user)
    client.post(reverse("progress:confirm", args=[change.pk]), **HX)
    response = client.post(reverse("progress:decline", args=[change.pk]), {"reason": "No"}, **HX)
    assert response.status_code == 200
    assert "already confirmed by Asha Admin" in response.content.decode()
    change.refresh_from_db()
    assert (change.status, change.reason) == (Status.CONFIRMED, "")


def test_confirm_without_htmx_redirects_to_the_queue_with_a_message(client, office_user, levels):
    change = proposal(levels=levels)
    client.force_login(office_user)
    response = client.post(reverse("progress:confirm", args=[change.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("progress:queue")
    assert "is now at Intermediate" in said(response)
    again = client.post(reverse("progress:confirm", args=[change.pk]))
    assert again.status_code == 302 and "already confirmed" in said(again)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_decline_without_a_good_reason_is_refused_in_the_row(client, office_user, levels, reason):
    change = proposal(levels=levels)
    client.force_login(office_user)
    response = client.post(reverse("progress:decline", args=[change.pk]), {"reason": reason}, **HX)
    body = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in body
    assert "Say why" in body or "at most 300" in body
    change.refresh_from_db()
    assert change.status == Status.PROPOSED and change.decided_at is None


def test_decline_with_a_reason(client, office_user, levels):
    change = proposal(levels=levels)
    client.force_login(office_user)
    response = client.post(
        reverse("progress:decline", args=[change.pk]), {"reason": "One more term"}
    )
    assert response.status_code == 302 and "is declined" in said(response)
    change.refresh_from_db()
    assert (change.status, change.reason) == (Status.DECLINED, "One more term")


@pytest.mark.parametrize("name", ["progress:confirm", "progress:decline"])
def test_only_the_office_decides(client, teacher, student, levels, name):
    change = proposal(levels=levels, teacher=teacher)
    for who in (teacher, student):
        client.force_login(who)
        assert client.post(reverse(name, args=[change.pk]), {"reason": "x"}).status_code == 403
    change.refresh_from_db()
    assert change.status == Status.PROPOSED


def test_an_unknown_proposal_is_404(client, office_user):
    client.force_login(office_user)
    assert client.post(reverse("progress:confirm", args=[999999])).status_code == 404


def _queue_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUEUE_BUDGET) as counted:
        assert client.get(reverse("progress:queue")).status_code == 200
    return len(counted.captured_queries)


# session, user, count, page of proposals (with students, levels, teachers)
QUEUE_BUDGET = 4


def test_the_queue_costs_the_same_at_one_or_many_proposals(
    client, office_user, levels, django_assert_max_num_queries
):
    proposal(levels=levels)
    client.force_login(office_user)
    one = _queue_queries(client, django_assert_max_num_queries)
    others = ladder("Sarod", ["I", "II"])
    for _ in range(30):
        proposal(levels=levels)
        proposal(levels=others)
    assert _queue_queries(client, django_assert_max_num_queries) == one


# --- A teacher proposes ----------------------------------------------------------------------


def test_the_teacher_sees_propose_next_level_on_the_students_page(client, teacher, pupil):
    client.force_login(teacher)
    page = client.get(reverse("rollcall:student", args=[pupil.pk])).content.decode()
    assert "Veena</strong>:" in page and "Beginner" in page
    assert "Propose Intermediate" in page
    assert f'action="{propose_url(pupil)}"' in page


def test_a_teacher_proposes_by_htmx_and_gets_the_updated_row(client, teacher, pupil, levels):
    client.force_login(teacher)
    response = client.post(
        propose_url(pupil), {"instrument": levels[0].instrument_id, "note": "Ready"}, **HX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li id="progress-{pupil.pk}-{levels[0].instrument_id}"')
    assert "Intermediate proposed, waiting for the office" in body
    change = LevelChange.objects.get()
    assert (change.to_level_id, change.note, change.proposed_by_id) == (
        levels[1].pk,
        "Ready",
        teacher.pk,
    )


def test_a_teacher_proposes_without_htmx_and_returns_to_the_page(client, teacher, pupil, levels):
    client.force_login(teacher)
    response = client.post(propose_url(pupil), {"instrument": levels[0].instrument_id})
    assert response["Location"] == reverse("rollcall:student", args=[pupil.pk])
    assert "Proposed Intermediate" in said(response)
    again = client.post(propose_url(pupil), {"instrument": levels[0].instrument_id})
    assert "already waiting for the office" in said(again)
    assert LevelChange.objects.count() == 1


def test_the_top_level_is_told_in_the_row(client, teacher, student, levels):
    taught(student.student, teacher, levels[2])
    client.force_login(teacher)
    response = client.post(
        propose_url(student.student), {"instrument": levels[0].instrument_id}, **HX
    )
    assert "already at the top level of Veena (Advanced)" in response.content.decode()
    assert not LevelChange.objects.exists()


def test_a_teacher_who_does_not_teach_the_student_gets_404(client, other_teacher, pupil, levels):
    client.force_login(other_teacher)
    response = client.post(propose_url(pupil), {"instrument": levels[0].instrument_id})
    assert response.status_code == 404
    assert not LevelChange.objects.exists()


@pytest.mark.parametrize("role", ["office_user", "admin_user", "student", "guardian"])
def test_only_teachers_propose(client, request, pupil, levels, role):
    client.force_login(request.getfixturevalue(role))
    response = client.post(propose_url(pupil), {"instrument": levels[0].instrument_id})
    assert response.status_code == 403
    assert not LevelChange.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"instrument": "abc"}, {"instrument": "-1"}, {"instrument": "1", "note": "x" * 301}],
)
def test_a_bad_proposal_is_refused_and_nothing_stored(client, teacher, pupil, data):
    client.force_login(teacher)
    plain = client.post(propose_url(pupil), data)
    assert plain.status_code == 302 and "could not be read" in said(plain)
    assert client.post(propose_url(pupil), data, **HX).status_code == 400
    assert not LevelChange.objects.exists()


def test_an_instrument_the_teacher_does_not_teach_them_is_refused(client, teacher, pupil):
    other = ladder("Nadaswaram", ["One", "Two"])
    client.force_login(teacher)
    response = client.post(propose_url(pupil), {"instrument": other[0].instrument_id})
    assert "You do not teach" in said(response)
    assert not LevelChange.objects.exists()


def test_the_roll_call_links_each_name_to_the_students_page(client, teacher, levels):
    lesson = LessonFactory(batch__teacher=teacher, batch__instrument=levels[0].instrument)
    (pupil,) = roster(lesson, 1)
    client.force_login(teacher)
    page = client.get(reverse("rollcall:lesson", args=[lesson.pk])).content.decode()
    assert f'href="{reverse("rollcall:student", args=[pupil.pk])}"' in page


def test_families_see_the_current_level_without_a_button(client, guardian, pupil):
    client.force_login(guardian)
    page = client.get(reverse("rollcall:mine")).content.decode()
    assert "Veena</strong>:" in page and "Beginner" in page
    assert "Propose" not in page


def test_the_office_sees_the_level_on_the_attendance_page_without_a_button(
    client, office_user, pupil
):
    client.force_login(office_user)
    page = client.get(reverse("rollcall:student", args=[pupil.pk])).content.decode()
    assert "Veena</strong>:" in page and "Propose" not in page


# --- The office sets a level on its student page -----------------------------------------------


def set_url(pupil):
    return reverse("progress:set_level", args=[pupil.pk])


def test_the_office_student_page_shows_the_history_and_set_level(
    client, office_user, teacher, pupil, levels
):
    change = proposal(student=pupil, teacher=teacher, levels=levels, note="Scales done")
    change.decide(status=Status.CONFIRMED, by=office_user)
    client.force_login(office_user)
    page = client.get(reverse("people:student_detail", args=[pupil.pk])).content.decode()
    assert 'data-level-history="Veena"' in page
    assert "Beginner → Intermediate" in page and "Scales done" in page
    assert "Tara Teacher; Omana Office" in page
    assert f'action="{set_url(pupil)}"' in page


def test_set_level_by_htmx_answers_the_section(client, office_user, pupil, levels):
    client.force_login(office_user)
    response = client.post(set_url(pupil), {"level": levels[2].pk, "note": "Placement"}, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="level-history"')
    assert "Level recorded." in body and "Beginner → Advanced" in body
    change = LevelChange.objects.get()
    assert (change.status, change.decided_by_id, change.note) == (
        Status.CONFIRMED,
        office_user.pk,
        "Placement",
    )


def test_set_level_without_htmx_returns_to_the_student_page(client, office_user, pupil, levels):
    client.force_login(office_user)
    response = client.post(set_url(pupil), {"level": levels[1].pk})
    assert response["Location"] == reverse("people:student_detail", args=[pupil.pk])
    assert "is now at Veena · Intermediate" in said(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the level to record."),
        ({"level": "abc"}, "Choose one of the levels in the list."),
        ({"level": "999999"}, "Choose one of the levels in the list."),
        ({"level": "LEVEL", "note": "x" * 301}, "at most 300"),
        ({"level": "CURRENT"}, "already at Veena · Beginner"),
    ],
)
def test_bad_set_level_input_is_told_and_nothing_stored(
    client, office_user, pupil, levels, data, message
):
    data = {k: {"LEVEL": levels[1].pk, "CURRENT": levels[0].pk}.get(v, v) for k, v in data.items()}
    client.force_login(office_user)
    response = client.post(set_url(pupil), data, **HX)
    assert response.status_code == 200 and message in response.content.decode()
    plain = client.post(set_url(pupil), data)
    assert plain.status_code == 302 and message in said(plain)
    assert not LevelChange.objects.exists()


def test_set_level_waits_for_the_open_proposal(client, office_user, pupil, levels):
    proposal(student=pupil, levels=levels)
    client.force_login(office_user)
    response = client.post(set_url(pupil), {"level": levels[2].pk}, **HX)
    assert "confirm or decline it first" in response.content.decode()
    assert LevelChange.objects.count() == 1


@pytest.mark.parametrize("role", ["teacher", "student", "guardian"])
def test_only_the_office_sets_a_level(client, request, pupil, levels, role):
    client.force_login(request.getfixturevalue(role))
    assert client.post(set_url(pupil), {"level": levels[2].pk}).status_code == 403
    assert not LevelChange.objects.exists()


def test_set_level_for_an_unknown_student_is_404(client, office_user, levels):
    client.force_login(office_user)
    assert client.post(reverse("progress:set_level", args=[999999]), {}).status_code == 404


# The teacher's view of a student (/attendance/students/<id>/): the rollcall budget (6)
# and the progress section's three queries. The office's student page is counted in
# tests/accounts/test_people_links.py.
STUDENT_PAGE_BUDGET = 9


def test_the_students_attendance_page_costs_the_same_at_any_history(
    client, teacher, office_user, pupil, levels, django_assert_max_num_queries
):
    client.force_login(teacher)
    url = reverse("rollcall:student", args=[pupil.pk])
    with django_assert_max_num_queries(STUDENT_PAGE_BUDGET) as counted:
        assert client.get(url).status_code == 200
    one = len(counted.captured_queries)
    for name in ("Sarod", "Santoor", "Sitar"):
        more = ladder(name, ["I", "II", "III"])
        taught(pupil, teacher, more[0])
        for level in more[1:]:
            proposal(student=pupil, teacher=teacher, levels=[more[0], level]).decide(
                status=Status.CONFIRMED, by=office_user
            )
    with django_assert_max_num_queries(STUDENT_PAGE_BUDGET) as counted:
        page = client.get(url).content.decode()
    assert len(counted.captured_queries) == one
    assert page.count("data-progress-instrument") == 4


def test_the_office_student_page_costs_the_same_at_any_level_history(
    client, office_user, teacher, pupil, levels, django_assert_max_num_queries
):
    from tests.accounts.test_people_links import BUDGET_STUDENT

    client.force_login(office_user)
    url = reverse("people:student_detail", args=[pupil.pk])
    with django_assert_max_num_queries(BUDGET_STUDENT) as counted:
        assert client.get(url).status_code == 200
    one = len(counted.captured_queries)
    for name in ("Sarod", "Santoor", "Sitar"):
        more = ladder(name, ["I", "II", "III"])
        taught(pupil, teacher, more[0])
        for level in more[1:]:
            proposal(student=pupil, teacher=teacher, levels=[more[0], level]).decide(
                status=Status.DECLINED, by=office_user, reason="Not yet"
            )
    proposal(student=pupil, teacher=teacher, levels=levels)
    with django_assert_max_num_queries(BUDGET_STUDENT) as counted:
        page = client.get(url).content.decode()
    assert len(counted.captured_queries) == one
    assert page.count("data-level-history=") == 4


def test_the_teacher_reads_why_a_move_was_declined_and_may_propose_again(
    client, teacher, office_user, pupil, levels
):
    proposal(student=pupil, teacher=teacher, levels=levels).decide(
        status=Status.DECLINED, by=office_user, reason="One more term of scales"
    )
    client.force_login(teacher)
    page = client.get(reverse("rollcall:student", args=[pupil.pk])).content.decode()
    assert "Intermediate was declined by the office" in page
    assert "One more term of scales" in page
    assert "Propose Intermediate" in page
