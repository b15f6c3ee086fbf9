"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

import gc

from tracker.app import create_app

app = create_app()
# The application's own objects (modules, routes, templates, table definitions) live as long
# as the process: moved out of the garbage collector's sight, so that its full passes look at
# what requests leave behind only (at 100,000 forecasts a full pass over them took some 0.1 s
# and came every few scorecards over a date range; see CACHE_GROUPS in
# tracker/scorecard/services.py).
gc.freeze()
