"""The local groups' web app (`make_pdf.py serve`) and the job queue it shares with
`build --imprint` with several files: see app.py, sets.py and queue.py."""
