"""Reading Word documents back: the body as blocks (blocks.py) for `circulars import`."""
