"""The theory lab: the WGAN paper's argument (Arjovsky, Chintala, Bottou 2017) computed here.

Section 1 (`parallel_lines`, `theta_game`): Example 1, closed forms against learned estimates,
and a one-parameter generator trained by each loss. Section 2 (`saturation`): Figure 2, a
sigmoid discriminator against a linear critic on two 1D Gaussians. Section 3 (`em_vs_js`):
Figures 3-4, exact W1 and the JSD estimate along real 2D runs. No Streamlit here.
"""
