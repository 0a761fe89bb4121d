"""A one-page app for AppTest: the mode-collapse tables page alone, behind the page boundary."""
from playground.ui import guard
from playground.ui.pages import tables

guard.page(tables.render)()
