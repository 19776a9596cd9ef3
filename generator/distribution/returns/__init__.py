"""Closing the loop: return forms out, progress in, reminders.

- `layout`: the columns and identity sheet of a form, shared by writer and reader;
- `forms`: one prefilled Excel workbook per responsible organization;
- `tokens`: the secret each form carries, so no organization files for another;
- `reading`: what a filled form says, every cell checked; `hand_written`: the
  same answers typed as YAML;
- `importing`: checking them against the project and recording them through
  `records` into returns/<circular-id>/<org-id>.yaml, atomically;
- `reminders`: who owes what soon, and reminding them by email, once a day.

What is owed and what was reported are read by source/returns.py, which the
site uses too. `distribute` puts each responsible recipient's form in its
copy's bundle (distribution/bundled_forms.py).
"""
