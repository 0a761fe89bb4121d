"""A one-page app for AppTest: the latent explorer alone."""
from playground.ui.pages import latent

latent.render()
