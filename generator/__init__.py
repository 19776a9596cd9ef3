"""Circulars: trade-union circulars from YAML to Word documents, a static site and addressed copies."""
