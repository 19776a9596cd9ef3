"""Closing the loop: return forms out, progress in, reminders.

- `forms`: one prefilled Excel workbook per responsible organization;
- `reading`: what a filled form (or a hand-written YAML return) says, checked;
- `records`: adding answers to returns/<circular-id>/<org-id>.yaml, atomically;
- `reminders`: who owes what soon, and reminding them by email, once a day.

What is owed and what was reported are read by source/returns.py, which the
site uses too.
"""
