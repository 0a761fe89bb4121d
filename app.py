"""GAN Playground: `streamlit run app.py`. This file only builds the navigation."""
import importlib

import streamlit as st

from playground.ui.pages import PAGES

st.set_page_config(page_title="GAN Playground", page_icon=":material/blur_on:", layout="wide")
pages = [st.Page(importlib.import_module(f"playground.ui.pages.{name}").render, title=title,
                 icon=icon, url_path=name) for name, title, icon in PAGES]
st.navigation(pages).run()
