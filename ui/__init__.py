"""The Streamlit app's pages and the parts they share; ``app.py`` builds the navigation.

One module per page (``roadmap``, ``node``, ``learning_path``, ``progress``, ``team``,
``system``), each a ``page()`` function, over ``state`` (session state and the cached
roadmap and store), ``i18n`` (every visible string, English and Spanish), ``jobs`` (lab
runs in the background), ``widgets`` and ``charts``. The UI reaches the engine only
through ``graph``'s public API.
"""
