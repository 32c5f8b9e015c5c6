"""Attachments by name: a message stores "name:arg" strings; the email sender asks the
builder registered under `name` for (filename, bytes, mimetype) at send time, so the
outbox row stays small and the file is built once, when it is sent. Apps register their
builders in their AppConfig.ready (fees: "receipt_pdf")."""

_builders = {}


def register(name: str, builder) -> None:
    _builders[name] = builder


def build(spec: str) -> tuple[str, bytes, str]:
    name, _, arg = spec.partition(":")
    return _builders[name](arg)
