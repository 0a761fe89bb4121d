"""Sample-quality metrics: 2D point sets (a registry keyed by id), class coverage of generated
digits, and the frozen digit classifier those read through."""
