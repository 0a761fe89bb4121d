"""GAN Playground's engine: data, models, losses, training, metrics and figures for small GANs.

Nothing in this package imports streamlit except `playground.ui`.
"""
