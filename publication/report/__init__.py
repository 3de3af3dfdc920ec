"""Reports: translation status, output/index.html and output/manifest.json."""
