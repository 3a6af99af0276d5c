"""The Streamlit app's parts: controls, the background runner, and the live view."""
