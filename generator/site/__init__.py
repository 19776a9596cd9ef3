"""Stage 3, the site: an MkDocs plugin that publishes every circular with its Word document.

Pages, indexes, tracker, directory and feed come from the model and the
rendered Markdown; the Word documents to download come from the docx stage.
"""
