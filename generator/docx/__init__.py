"""Stage 3, Word documents: the rendered Markdown as .docx, laid out by a reference document.

GB/T 9704-2012 for Chinese circulars, an international letter layout for
English ones; building many documents across processes; LibreOffice previews.
"""
