"""The app's server-wide objects (`st.cache_resource`): shared by every session, so only
read-only things or thread-safe registries that hold no run: the job cap and the registry of
followable runs. Each session's run lives in its own session state.
"""
from __future__ import annotations

import streamlit as st

from .followers import Followers
from .jobs import JobSlots
from .process import configure_torch_threads


@st.cache_resource
def job_slots() -> JobSlots:
    """The server-wide cap on concurrent training jobs (holds tickets, never a run)."""
    configure_torch_threads()  # the server's own torch work (none by design) stays small too
    return JobSlots()


@st.cache_resource
def followers() -> Followers:
    return Followers()
