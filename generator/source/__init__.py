"""Stage 1, the sources: YAML with positions, the model, the registry, validation, cross-file checks.

Everything after this stage works from a loaded `Project` (loading.py), whose
every value remembers the file, line and column it came from.
"""
