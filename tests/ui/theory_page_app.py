"""A one-page app for AppTest: the theory page alone, without the 2D lab's navigation."""
from playground.ui.pages import theory

theory.render()
