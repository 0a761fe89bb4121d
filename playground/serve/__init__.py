"""Serving live work, Streamlit-free: the shared pool of worker processes, the jobs they host,
the fair cap on concurrent jobs, and the followers a projector tab reads from."""
