"""Read an HTML form the way a browser submits it (so admin POSTs need no hand-built data)."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.depth = 0
        self.data = {}
        self._select = None
        self._select_multiple = False
        self._option_value = None
        self._option_selected = False
        self._option_text = ""
        self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
                return
            self._add(name, attrs.get("value", ""))
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = name
            self._select_multiple = "multiple" in attrs
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            self._option_value = attrs.get("value")
            self._option_selected = "selected" in attrs
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data
        elif self._option_value is not None or self._select:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "option" and self._select:
            value = self._option_value if self._option_value is not None else self._option_text
            if self._option_selected:
                self._add(self._select, value.strip() if self._option_value is None else value)
            self._option_value = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea and self.data[self._textarea][-1].startswith("\n"):
                self.data[self._textarea][-1] = self.data[self._textarea][-1][1:]
            self._textarea = None


def form_data(html: str, form_id: str) -> dict:
    """{name: value or [values]} of the form `form_id`, as a browser would post it."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return {k: v[0] if len(v) == 1 else v for k, v in parser.data.items() if v}
