"""The Streamlit front end: pages wire widgets to the engine; no math lives here."""
