"""One link codec per page: `lab` (the 2D and MNIST labs: a `RunConfig` and page options),
`compare`, `latent` and `theory`. Each reads query parameters into the page's state plus warnings
(never raising: a bad value is dropped and its default kept) and writes that state back as the
shortest link that reads into it again. The labs' codec is also this package's own API
(`urlstate.from_query`, `urlstate.to_query`), as callers used it before the split.
"""
from playground.ui.urlstate.lab import (
    DEFAULT_PRESET,
    KIND_NAMES,
    PAGE_OF_KIND,
    LinkState,
    baseline,
    from_query,
    shipped_config,
    to_query,
)

__all__ = ["DEFAULT_PRESET", "KIND_NAMES", "PAGE_OF_KIND", "LinkState", "baseline",
           "from_query", "shipped_config", "to_query"]
