"""Payment totals kept by the database: per day and method, and per student (issue 16).

The institute-wide figures (the dashboards' collections and overdue count, the summary's
months and methods, what each student owes, the cash close's methods) summed the whole
ledger, so each was cached under the ledger's version and every payment made them cold.
Two small tables now hold those sums, written by triggers in the transaction of the
payment or void itself: an INSERT adds a non-void payment (a payment stored already void
only counts as a void), the one UPDATE that voids it takes it away again. A payment's
amount, date, method and student never change (migrations 0002/0004), and it is never
deleted, so no other write can move a total. Bulk inserts (the demo, imports) go through
the same triggers; a restore copies the tables as they were (pg_restore adds triggers
after the data). Sums are whole paise: exact on SQLite too, where a decimal column is a
binary float. `manage.py check_fee_totals` compares them with the ledger (and repairs).

As with 0002, a later migration that makes Django rebuild fees_payment on SQLite drops
these triggers and must run this SQL again (tests/fees/test_payment_totals.py fails if
they are gone).
"""

import django.db.models.deletion
from django.db import migrations, models

PAISE = "CAST(ROUND({0}.amount * 100) AS BIGINT)"

BACKFILL = [
    f"""
INSERT INTO fees_paymentdaytotal (paid_on, method, paise, payments, voids)
SELECT paid_on, method,
       COALESCE(SUM(CASE WHEN voided_at IS NULL THEN {PAISE.format("p")} END), 0),
       COUNT(*) - COUNT(voided_at),
       COUNT(voided_at)
FROM fees_payment p GROUP BY paid_on, method
""",
    f"""
INSERT INTO fees_studentpaidtotal (student_id, paise, payments)
SELECT student_id, SUM({PAISE.format("p")}), COUNT(*)
FROM fees_payment p WHERE voided_at IS NULL GROUP BY student_id
""",
]

POSTGRES = [
    f"""
CREATE OR REPLACE FUNCTION fees_payment_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign integer;
    delta bigint;
BEGIN
    IF TG_OP = 'INSERT' AND NEW.voided_at IS NOT NULL THEN
        INSERT INTO fees_paymentdaytotal AS t (paid_on, method, paise, payments, voids)
        VALUES (NEW.paid_on, NEW.method, 0, 0, 1)
        ON CONFLICT (paid_on, method) DO UPDATE SET voids = t.voids + 1;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        sign := 1;
    ELSIF OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL THEN
        sign := -1;
    ELSE
        RETURN NULL;
    END IF;
    delta := sign * {PAISE.format("NEW")};
    INSERT INTO fees_paymentdaytotal AS t (paid_on, method, paise, payments, voids)
    VALUES (NEW.paid_on, NEW.method, delta, sign, CASE WHEN sign < 0 THEN 1 ELSE 0 END)
    ON CONFLICT (paid_on, method) DO UPDATE SET
        paise = t.paise + EXCLUDED.paise,
        payments = t.payments + EXCLUDED.payments,
        voids = t.voids + EXCLUDED.voids;
    INSERT INTO fees_studentpaidtotal AS t (student_id, paise, payments)
    VALUES (NEW.student_id, delta, sign)
    ON CONFLICT (student_id) DO UPDATE SET
        paise = t.paise + EXCLUDED.paise,
        payments = t.payments + EXCLUDED.payments;
    RETURN NULL;
END;
$$;
""",
    "DROP TRIGGER IF EXISTS fees_payment_totals ON fees_payment;",
    """
CREATE TRIGGER fees_payment_totals AFTER INSERT OR UPDATE OF voided_at ON fees_payment
FOR EACH ROW EXECUTE FUNCTION fees_payment_totals();
""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS fees_payment_totals ON fees_payment;",
    "DROP FUNCTION IF EXISTS fees_payment_totals();",
]

SQLITE = [
    "DROP TRIGGER IF EXISTS fees_payment_totals_insert;",
    f"""
CREATE TRIGGER fees_payment_totals_insert AFTER INSERT ON fees_payment
BEGIN
    INSERT INTO fees_paymentdaytotal (paid_on, method, paise, payments, voids)
    VALUES (
        NEW.paid_on,
        NEW.method,
        CASE WHEN NEW.voided_at IS NULL THEN {PAISE.format("NEW")} ELSE 0 END,
        CASE WHEN NEW.voided_at IS NULL THEN 1 ELSE 0 END,
        CASE WHEN NEW.voided_at IS NULL THEN 0 ELSE 1 END
    )
    ON CONFLICT (paid_on, method) DO UPDATE SET
        paise = paise + excluded.paise,
        payments = payments + excluded.payments,
        voids = voids + excluded.voids;
    INSERT INTO fees_studentpaidtotal (student_id, paise, payments)
    SELECT NEW.student_id, {PAISE.format("NEW")}, 1 WHERE NEW.voided_at IS NULL
    ON CONFLICT (student_id) DO UPDATE SET
        paise = paise + excluded.paise,
        payments = payments + excluded.payments;
END;
""",
    "DROP TRIGGER IF EXISTS fees_payment_totals_void;",
    f"""
CREATE TRIGGER fees_payment_totals_void AFTER UPDATE OF voided_at ON fees_payment
WHEN OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL
BEGIN
    UPDATE fees_paymentdaytotal
    SET paise = paise - {PAISE.format("NEW")}, payments = payments - 1, voids = voids + 1
    WHERE paid_on = NEW.paid_on AND method = NEW.method;
    UPDATE fees_studentpaidtotal
    SET paise = paise - {PAISE.format("NEW")}, payments = payments - 1
    WHERE student_id = NEW.student_id;
END;
""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS fees_payment_totals_insert;",
    "DROP TRIGGER IF EXISTS fees_payment_totals_void;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):  # pragma: no cover - only these two
        raise NotImplementedError(f"No payment totals triggers for {vendor}.")
    for statement in [*BACKFILL, *(POSTGRES if vendor == "postgresql" else SQLITE)]:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_lesson_notice_settings"),
        ("fees", "0010_payroll"),
    ]

    operations = [
        migrations.CreateModel(
            name="StudentPaidTotal",
            fields=[
                (
                    "student",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.student",
                    ),
                ),
                ("paise", models.BigIntegerField(default=0)),
                ("payments", models.IntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="PaymentDayTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("paid_on", models.DateField()),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("cash", "Cash"),
                            ("upi", "UPI"),
                            ("card", "Card"),
                            ("bank", "Bank transfer"),
                            ("cheque", "Cheque"),
                        ],
                        max_length=6,
                    ),
                ),
                ("paise", models.BigIntegerField(default=0)),
                ("payments", models.IntegerField(default=0)),
                ("voids", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("paid_on", "method"), name="payment_day_total_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
