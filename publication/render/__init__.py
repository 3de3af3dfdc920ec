"""Rendering: Jinja templates, stylesheets and QR codes into the HTML WeasyPrint gets."""
