"""Plotly figures: pure functions of numpy snapshots (no torch, no streamlit, no state)."""
