from django.db.models import Count, Q

from accounts.models import Role, User


def people_counts() -> dict:
    """Active people per role and the deactivated total, in one query."""
    aggregates = {role.value: Count("id", filter=Q(role=role, is_active=True)) for role in Role}
    aggregates["inactive"] = Count("id", filter=Q(is_active=False))
    return User.objects.aggregate(**aggregates)
