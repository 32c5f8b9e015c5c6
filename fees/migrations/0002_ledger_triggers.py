"""Database triggers that make the payment ledger append-only for every client.

The ORM already refuses (PaymentQuerySet, Payment.save/delete); these triggers refuse
the same writes from raw SQL, a database shell or another program: UPDATE of a column
in FROZEN (or of a void once made) and DELETE raise an integrity error.

PostgreSQL: a PL/pgSQL trigger function (SQLSTATE 23001, restrict_violation, which
Django raises as IntegrityError). TRUNCATE, used only by `manage.py flush` to wipe a
whole database, is not a row delete and is left alone.

SQLite: two triggers. SQLite has no TRUNCATE, so `manage.py flush` (the test suite's
reset between transactional tests) deletes rows: the DELETE trigger asks the
connection's `mb_ledger_unlocked()` function, which Django connections register
(fees/apps.py) and which answers true only inside our `flush` command. A connection
without the function (the sqlite3 shell, another program) cannot delete at all.

Careful: on SQLite, a later migration that alters fees_payment makes Django rebuild the
table, which drops these triggers. Such a migration must run this one's SQL again
(tests/fees/test_ledger_append_only.py fails if the triggers are gone).
"""

from django.db import migrations

FROZEN = [
    "student_id",
    "amount",
    "paid_on",
    "method",
    "reference",
    "receipt_number",
    "financial_year",
    "receipt_sequence",
    "idempotency_key",
    "recorded_by_id",
    "recorded_at",
]
VOID = ["voided_at", "voided_by_id", "void_reason"]

PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN)
PG_UNVOID = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in VOID)
POSTGRES_UP = f"""
CREATE FUNCTION fees_payment_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'fees_payment is append-only: a payment is never deleted (void it)'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF {PG_CHANGED} THEN
        RAISE EXCEPTION 'fees_payment is append-only: amount, student, date, method, reference and receipt never change'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.voided_at IS NOT NULL AND ({PG_UNVOID}) THEN
        RAISE EXCEPTION 'fees_payment is append-only: a void is final'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER fees_payment_no_delete BEFORE DELETE ON fees_payment
    FOR EACH ROW EXECUTE FUNCTION fees_payment_append_only();
CREATE TRIGGER fees_payment_frozen BEFORE UPDATE ON fees_payment
    FOR EACH ROW EXECUTE FUNCTION fees_payment_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS fees_payment_frozen ON fees_payment;
DROP TRIGGER IF EXISTS fees_payment_no_delete ON fees_payment;
DROP FUNCTION IF EXISTS fees_payment_append_only();
"""

SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
SQLITE_UNVOID = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VOID)
SQLITE_UP = [
    """
CREATE TRIGGER fees_payment_no_delete BEFORE DELETE ON fees_payment
WHEN NOT mb_ledger_unlocked()
BEGIN
    SELECT RAISE(ABORT, 'fees_payment is append-only: a payment is never deleted (void it)');
END;
""",
    f"""
CREATE TRIGGER fees_payment_frozen BEFORE UPDATE ON fees_payment
WHEN {SQLITE_CHANGED} OR (OLD.voided_at IS NOT NULL AND ({SQLITE_UNVOID}))
BEGIN
    SELECT RAISE(ABORT, 'fees_payment is append-only: amount, student, date, method, reference and receipt never change, and a void is final');
END;
""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS fees_payment_frozen;",
    "DROP TRIGGER IF EXISTS fees_payment_no_delete;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"No ledger triggers for {vendor}.")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("fees", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
