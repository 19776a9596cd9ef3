"""Stage 4, distribution: numbered, addressed copies, the register of copies, and mail."""

DIST_DIR = "dist"  # where `circulars distribute` writes, one folder per circular, in the project
DEFAULT_REGISTER = "register.sqlite3"  # the register of copies (register.py), in the project
