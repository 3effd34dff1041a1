"""The URL kept in step with the sidebar; a link's settings applied once per session.

Reading a link never fails: :func:`dashboard.links.from_query` parses every
value through the settings table and turns what it refuses into notices,
shown here as text (a link's values are never rendered as Markdown).
"""

import streamlit as st

from .. import links
from ..text import escape
from .state import DEFAULTS


def apply_link_once():
    """On a session's first run, take the settings the URL asks for."""
    if st.session_state.get("_link_applied"):
        return
    st.session_state["_link_applied"] = True
    state, notices = links.from_query(st.query_params.to_dict(), DEFAULTS)
    st.session_state.update(state)
    if "inspect_row_value" in state:
        st.session_state["inspect_row_from_link"] = True
    if "outliers_row_value" in state:
        st.session_state["outliers_row_from_link"] = True
    if "density_cluster" in state:
        st.session_state["density_cluster_from_link"] = True
    st.session_state["_link_notices"] = notices


def _dismiss_notices():
    st.session_state["_link_notices"] = []


def forget_notice(notice):
    """Drop a link notice that no longer applies (the file it asked for was loaded)."""
    notices = st.session_state.get("_link_notices") or []
    st.session_state["_link_notices"] = [n for n in notices if n != notice]


def show_notices(where):
    """The link's refused values, each with what was used instead; an OK button clears them.

    Parameters
    ----------
    where : streamlit container
        Drawn into it (a placeholder at the top of the sidebar, filled once the data
        section has run, so a notice that no longer applies is gone).
    """
    notices = st.session_state.get("_link_notices")
    if not notices:
        return
    with where.container(border=True):
        for notice in notices:
            st.warning(escape(notice, 400), icon=":material/link_off:")
        st.button("OK", key="link_notices_ok", on_click=_dismiss_notices)


def share_section(feature_columns):
    """Keep the URL in step with the sidebar and offer the link to copy."""
    query = links.to_query(st.session_state, DEFAULTS, feature_columns)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    # Drawn only while open (opening it reruns): its link changes with every setting.
    share = st.sidebar.popover("Share this view", icon=":material/link:", width="stretch",
                               key="share_open", on_change="rerun")
    if not share.open:
        return
    with share:
        st.markdown("Anyone opening this link sees this page with these settings:")
        st.code(links.share_url(st.context.url, query), language=None, wrap_lines=True)
        st.caption("Use the copy icon at the right of the link.")
        if st.session_state["dataset"] in (links.UPLOAD, links.MODEL):
            st.warning("Uploaded data is never put in a link: whoever opens it must upload "
                       "the file again.")
