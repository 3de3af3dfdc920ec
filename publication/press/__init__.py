"""Print-shop files: imposition, marks and PDF/X."""
