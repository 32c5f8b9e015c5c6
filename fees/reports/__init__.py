"""Read-only fee figures, one module per report: a student's statement (`statement`),
the institute summary (`collected`, `owing`, `dues_matrix`), the daily cash close
(`cash_close`) and the dashboards' fee figures (`dashboard`). `ledger` holds the query
building blocks they share; `ledger_cache` keeps the institute-wide figures under the
ledger's exact version.

Every figure is an aggregate computed by the database over ledger rows (charges and
non-void payments), in a fixed number of queries whatever the data size; lists that could
grow with the institute (defaulters, the dues matrix) are paginated.

Dates. A charge counts on the first day of the month it belongs to (`period`): the
November fee is billed on 1 November and due on the institute's due day. A payment
counts on the day it was paid (`paid_on`). A voided payment counts nowhere.

Outstanding and overdue follow the ledger's rule that payments pay the oldest dues first:
what a student still owes on dues due by day D is
`max(0, Σ dues due by D - Σ payments so far)`, so no per-row allocation history is needed
to answer "as of" a past date.
"""
