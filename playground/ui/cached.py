"""The app's server-wide objects (`st.cache_resource`): shared by every session, so only
read-only things or thread-safe registries that hold no run: the pool of worker processes (with
its job cap and queue) and the registry of followable runs. Each session's run lives, parked,
in its own session state.
"""
from __future__ import annotations

import streamlit as st

from playground.serve.followers import Followers
from playground.serve.pool import Pool
from playground.serve.process import configure_torch_threads


@st.cache_resource
def pool() -> Pool:
    """The server's worker processes (PLAYGROUND_MAX_JOBS trainers and one for short commands,
    started on first use) and the fair queue in front of them; holds no session's run."""
    configure_torch_threads()  # the server's own torch work (the explorer's decoding) too
    return Pool()


@st.cache_resource
def followers() -> Followers:
    return Followers()
