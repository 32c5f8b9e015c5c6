"""Parents' UPI payments matched (issue 13, item 6).

- `reports`: a family reports "paid ₹X by UPI, UTR …"; the office confirms it into a real
  payment (one keystroke) or rejects it with a reason the family sees.
- `statements`: reading a bank or UPI-business statement (CSV or XLSX) into credit lines,
  refusing what is not a statement (binary, unknown layout, formulas, foreign dates).
- `matching`: each credit line matched to a report, a student or a family (reference, the
  roll number in the UPI note, the amount), then recorded all at once, never twice.
"""
