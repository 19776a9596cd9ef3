"""Stage 2, rendering: a circular through Jinja into Markdown whose blocks carry classes.

The one rendering both writers share: the Word writer maps each class to a
named style, the site shows the same Markdown.
"""
