"""Reading PDFs: one content interpreter and structure reader, shared by tagging and the checks."""
