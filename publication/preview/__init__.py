"""The translators live preview: pages as pictures, each messages place and room."""
