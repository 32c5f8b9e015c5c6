"""Reading a form page the way a browser does: the hidden fields it would send back."""

import re

HIDDEN = re.compile(r'<input type="hidden" name="(form_token|version|seen)" value="([^"]*)"')


def hidden_fields(response) -> dict:
    """The idempotency token, version and snapshot a page's form carries."""
    assert response.status_code == 200, response.status_code
    return dict(HIDDEN.findall(response.content.decode()))
