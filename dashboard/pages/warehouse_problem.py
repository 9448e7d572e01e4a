"""Shown instead of the data pages when the warehouse file cannot be read as a warehouse."""

import streamlit as st

from dashboard import queries

st.title("The warehouse cannot be shown")
problem = queries.warehouse_problem()
if problem is None:  # mended since the router looked: the pages come back on the next run
    st.success("The warehouse can be read again.")
    st.button("Show the dashboard", key="problem_reload")
else:
    st.error(problem)
    st.caption(f"Warehouse file: `{queries.warehouse_path()}`")
