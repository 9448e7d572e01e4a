"""The data-quality dashboard: `streamlit run dashboard/streamlit_app.py`.

The router: declares the pages with st.navigation. Without a warehouse file there is one page,
which says so and offers to build it; with a file that cannot be read as a warehouse (a folder,
an empty or foreign file, a file locked by a writer, a warehouse of an older version), a page
that says what is wrong and what to do, beside the Build page.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts dashboard/ on sys.path; the pages import the dashboard package.
PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from dashboard import queries  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Dialogue warehouse quality", page_icon="💬", layout="wide")


def page(file: str, title: str, icon: str, **options) -> st.Page:
    return st.Page(str(PAGES_DIR / file), title=title, icon=f":material/{icon}:", **options)


if queries.warehouse_version() is None:
    navigation = st.navigation([page("build.py", "Build", "build", default=True)])
elif queries.warehouse_problem() is not None:
    navigation = st.navigation(
        [
            page("warehouse_problem.py", "Warehouse problem", "error", default=True),
            page("build.py", "Build", "build"),
        ]
    )
else:
    navigation = st.navigation(
        {
            "Tables": [
                page("overview.py", "Overview", "dashboard", default=True),
                page("pretrain.py", "Pre-training corpus", "forum"),
                page("pairs.py", "Pairs", "link"),
                page("downstream.py", "Downstream", "label"),
            ],
            "Checks": [
                page("data_quality.py", "Data quality", "fact_check"),
                page("explorer.py", "Explorer", "search"),
                page("models.py", "Models", "model_training"),
                page("build.py", "Build", "build"),
            ],
        }
    )
navigation.run()
