"""Libraries imported once, on one thread, before any page draws (app.py imports this first).

Streamlit draws each browser tab on its own script thread. Plotly checks whether a value is a
pandas Series by peeking at `sys.modules` (`get_module("pandas", should_load=False)`) without
importing pandas itself; Streamlit imports pandas lazily, the first time a page draws a table
(`st.table` on the tables page). When one tab's thread was halfway through that import while
another tab's thread built a figure, plotly found a half-initialised pandas and the figure
failed ("partially initialized module 'pandas' has no attribute 'Series"; CI, 2026-12-07, the
theory page opened beside the tables page). Imported here, a module is complete before any
thread can peek: a second thread that reaches app.py's import line waits on Python's import
lock for this module until the first has finished.
"""
import importlib.util

# Every module plotly peeks at without importing (`should_load=False` in plotly 6.x's
# _plotly_utils and plotly.io), where it is installed. tests/ui/test_ui_preload.py reads
# plotly's source and fails when a new peek appears that this list misses.
PEEKED = ("numpy", "pandas", "PIL.Image", "sage.all")

for _name in PEEKED:
    if importlib.util.find_spec(_name.partition(".")[0]) is not None:
        importlib.import_module(_name)
