"""Typesetting: WeasyPrint, behind one adapter, and the fit of a layout."""
