"""reframe review: check and correct a crop path on a local web page, then save and render it.

:mod:`.session` holds the corrections (as overrides the planner applies),
undo, save and the background render; :mod:`.app` serves the page and its
JSON API; :mod:`.server` runs it on 127.0.0.1 behind a random token.
"""
