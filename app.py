"""GAN Playground: `streamlit run app.py`. This file only builds the navigation; each page is
rendered behind the page boundary (`guard.page`: an error shows a short message, never a
traceback). Its first import (`preload`) loads, on one thread, the libraries that
plotly only peeks at, before any tab's thread draws a figure."""
import importlib
import logging

import streamlit as st

from playground.ui import guard, preload  # noqa: F401  (preload: before any page draws)
from playground.ui.pages import PAGES

logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="GAN Playground", page_icon=":material/blur_on:", layout="wide")
pages = [st.Page(guard.page(importlib.import_module(f"playground.ui.pages.{name}").render),
                 title=title, icon=icon, url_path=name) for name, title, icon in PAGES]
st.navigation(pages).run()
