"""Reading a form page the way a browser does: the fields it would send back."""

import re
from html.parser import HTMLParser

HIDDEN = re.compile(r'<input type="hidden" name="(form_token|version|seen)" value="([^"]*)"')


def hidden_fields(response) -> dict:
    """The idempotency token, version and snapshot a page's form carries."""
    assert response.status_code == 200, response.status_code
    return dict(HIDDEN.findall(response.content.decode()))


class _Forms(HTMLParser):
    """Each POST form of a page: its action and the (name, value) pairs a browser sends
    without anyone touching it (checked boxes, selected options, typed-in values)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            is_post = (a.get("method") or "").lower() == "post"
            self._form = {"action": a.get("action") or "", "fields": [], "buttons": []}
            if not is_post:
                self._form = None
            if self._form is not None:
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "button" and name:
            self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "submit":
                self._form["buttons"].append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind not in ("button", "file", "image", "reset"):
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            s = self._select
            chosen = s["chosen"] or ([] if s["multiple"] or s["first"] is None else [s["first"]])
            self._form["fields"].extend((s["name"], v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form["fields"].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None


def form_data(response, *, having: str) -> dict:
    """What the page's POST form that has a field `having` sends as it stands: a dict
    of name → value (a list for names sent more than once). A page showing errors
    (400) has a form too."""
    assert response.status_code in (200, 400), response.status_code
    parser = _Forms()
    parser.feed(response.content.decode())
    for form in parser.forms:
        names = [name for name, _value in form["fields"]]
        if having in names:
            data = {}
            for name, value in form["fields"]:
                if name in data:
                    previous = data[name]
                    data[name] = (
                        [*previous, value] if isinstance(previous, list) else [previous, value]
                    )
                else:
                    data[name] = value
            data.pop("csrfmiddlewaretoken", None)
            return data
    raise AssertionError(f"No POST form with a {having!r} field on the page.")


def post_forms(response) -> list[dict]:
    """Every POST form of a page: {"action", "fields": [(name, value)], "buttons"}."""
    parser = _Forms()
    parser.feed(response.content.decode())
    return parser.forms
