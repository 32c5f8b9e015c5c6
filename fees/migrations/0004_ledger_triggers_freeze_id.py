"""The ledger's UPDATE trigger freezes every column but the remarks and the void.

0002's trigger froze the money, the people, the dates, the receipt and the idempotency
key, but not the primary key: `UPDATE fees_payment SET id = …` re-pointed a receipt's
address (and, on a payment nothing was allocated to yet, went through). The rule is now
stated the other way round: a stored payment changes its remarks, or is voided once
(voided_at, voided_by_id, void_reason); every other column is frozen.
`tests/fees/test_ledger_append_only.py` checks that each column of the table is either
frozen here or one of those four, so a new column cannot slip past unclassified.

PostgreSQL: the trigger function is replaced (the triggers call it by name). SQLite: the
UPDATE trigger is dropped and made again. The DELETE trigger is unchanged. As with 0002,
a later migration that makes Django rebuild fees_payment on SQLite drops the triggers and
must run this SQL again.
"""

from django.db import migrations

# Everything but the remarks and the void fields, in the table's column order.
FROZEN = [
    "id",
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
# 0002's list, for going back.
FROZEN_0002 = FROZEN[1:]

FROZEN_MESSAGE = (
    "fees_payment is append-only: only the remarks change, and a void is made once; "
    "id, amount, student, date, method, reference, receipt, idempotency key, "
    "recorder and time never change"
)


def postgres_function(frozen):
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in frozen)
    unvoid = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in VOID)
    return f"""
CREATE OR REPLACE FUNCTION fees_payment_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'fees_payment is append-only: a payment is never deleted (void it)'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF {changed} THEN
        RAISE EXCEPTION '{FROZEN_MESSAGE}'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.voided_at IS NOT NULL AND ({unvoid}) THEN
        RAISE EXCEPTION 'fees_payment is append-only: a void is final'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""


def sqlite_update_trigger(frozen):
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in frozen)
    unvoid = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VOID)
    return [
        "DROP TRIGGER IF EXISTS fees_payment_frozen;",
        f"""
CREATE TRIGGER fees_payment_frozen BEFORE UPDATE ON fees_payment
WHEN {changed} OR (OLD.voided_at IS NOT NULL AND ({unvoid}))
BEGIN
    SELECT RAISE(ABORT, '{FROZEN_MESSAGE}, and a void is final');
END;
""",
    ]


def _install(schema_editor, frozen):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgres_function(frozen))
    elif vendor == "sqlite":
        for statement in sqlite_update_trigger(frozen):
            schema_editor.execute(statement)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"No ledger triggers for {vendor}.")


def forwards(apps, schema_editor):
    _install(schema_editor, FROZEN)


def backwards(apps, schema_editor):
    _install(schema_editor, FROZEN_0002)


class Migration(migrations.Migration):
    dependencies = [("fees", "0003_payment_sums_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
