"""Tag fixes: what WeasyPrint's tag tree lacks, added to the written PDF."""
