"""Optional login: with an ``[auth]`` section in ``.streamlit/secrets.toml`` (OIDC), the app
asks for a login and uses the e-mail as the profile; without it the app is a local tool."""

from __future__ import annotations

import re

import streamlit as st

from ui import state
from ui.i18n import t
from ui.widgets import ICON


def configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (OIDC login for a team)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all: a local, single-user app
        return False


def signed_in() -> bool:
    """With [auth] configured, ask for a login and use the e-mail as the profile."""
    if not configured():
        return True
    if not st.user.get("is_logged_in", False):
        st.title(f"{ICON['app']} {t('app.title')}")
        st.button(t("auth.login"), on_click=st.login, type="primary", icon=ICON["login"])
        return False
    name = re.sub(r"[^A-Za-z0-9._@-]", "-", str(st.user.get("email") or st.user.get("sub")))
    state.set_user(name.lstrip("._@-")[:64] or "user")
    st.sidebar.button(t("auth.logout"), on_click=st.logout, icon=ICON["logout"])
    return True
