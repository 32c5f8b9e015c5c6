"""Template tags for the classes pages. (Money: `{% load money %}`, `{{ x|money }}`.)"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with `changes` applied (a value of None drops the key).

    Pagination and sort links keep the filters the person chose.
    """
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
