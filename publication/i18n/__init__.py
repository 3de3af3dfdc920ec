"""Languages: locales, gettext catalogues and their checks, and localisation."""
