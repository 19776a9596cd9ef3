"""Stage 4, distribution: numbered, addressed copies, the register of copies, and mail."""
