"""The app's own Streamlit components: ``graph_view``, the roadmap graph as inline SVG."""
