"""The Streamlit layer: the only code besides ``app.py`` and ``pages/`` that imports Streamlit.

One module per job:

- :mod:`.state` -- session defaults, the data and settings of this run (:class:`Current`);
- :mod:`.cached` -- cached, budgeted work shared by all sessions (data, fits, figures);
- :mod:`.sidebar` -- the shared sidebar, and preparing this run's fit;
- :mod:`.link_sync` -- the URL kept in step with the sidebar, links applied once;
- :mod:`.widgets` -- page widgets and their callbacks, messages shown as text;
- :mod:`.entry` -- pages always run through the entry point.
"""
