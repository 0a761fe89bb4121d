"""The app's pages, in navigation order: (module name under this package, title, icon)."""

PAGES: list[tuple[str, str, str]] = [
    ("lab2d", "2D lab", ":material/scatter_plot:"),
    ("mnist", "MNIST lab", ":material/draw:"),
    ("latent", "Latent explorer", ":material/explore:"),
    ("compare", "Compare runs", ":material/compare:"),
    ("theory", "Why Wasserstein", ":material/functions:"),
    ("tables", "Mode-collapse tables", ":material/table_chart:"),
]
