"""Who hears about a student: the guardians with accounts, else the student."""

from accounts.models import Student, User


def family_of(student: Student) -> list[User]:
    """The student's active guardians, else the student's own user (if active)."""
    guardians = [
        g.guardian
        for g in student.guardianships.select_related("guardian").order_by("guardian_id")
        if g.guardian.is_active
    ]
    if guardians:
        return guardians
    user = User.objects.get(pk=student.user_id)
    return [user] if user.is_active else []
