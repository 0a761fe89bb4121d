"""A one-page app for AppTest: the compare page alone."""
from playground.ui.pages import compare

compare.render()
