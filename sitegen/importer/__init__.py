"""`sitegen import`: raw articles (plain text, saved web pages, JSON Lines) into content files.

Reading gives `Draft`s; each is completed (headline, date), checked against the run and the
archive for duplicates, tagged with known names, given a distinct slug and written. Nothing
here prints: `import_articles` returns an `ImportReport` for the CLI to show.

The work is in `run.py` (`import_articles`); this file imports nothing, so the command line
can list the formats (`sources.FORMATS`) without loading the importer.
"""
