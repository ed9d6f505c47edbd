"""Extraction: text -> quantities (quantities.py) -> figures with meaning (figures.py)."""
