"""Build: run the pipeline from the dashboard and follow its progress."""

import streamlit as st

from dashboard import build_runner, queries

LINES_SHOWN = 40

st.title("Build the warehouse")
warehouse = queries.warehouse_path()
if queries.warehouse_version() is None:
    st.warning(
        f"There is no warehouse at `{warehouse}` yet. Build it here (this runs "
        "`python run_pipeline.py`, as the README does), or from a shell."
    )
else:
    st.caption(
        f"Rebuilds `{warehouse}`. The dashboard stays usable meanwhile: the pipeline builds "
        "into a temporary file and replaces the warehouse only when the build succeeds."
    )

if not build_runner.build_allowed():
    st.info(
        "Building from the dashboard is off: it listens beyond this machine "
        f"(server.address {st.get_option('server.address') or 'unset: every interface'}), and "
        "anyone who reaches it could start a build. Build from a shell (`python "
        f"run_pipeline.py`), or set {build_runner.BUILD_SWITCH}=1 where the dashboard runs to "
        "allow it (see the README)."
    )
    st.stop()
holder = build_runner.running_build()
if holder is not None:
    st.warning(
        f"A build is already running: {holder}. The dashboard keeps showing the current "
        "warehouse; reload this page when it has finished."
    )
    st.stop()

mirror = st.text_input(
    "Mirror folder (empty: download from upstream)",
    value=build_runner.default_mirror(),
    help="A local copy laid out as <dataset>/<path inside the upstream repository>, "
    "relative to the project folder or absolute.",
    key="build_mirror",
)
datasets = st.multiselect(
    "Datasets (empty: all registered)", build_runner.registered_datasets(), key="build_datasets"
)
allow_partial = st.checkbox(
    "Allow partial sources (flag a dataset incomplete instead of failing when files are missing)",
    value=True,
    key="build_allow_partial",
)
force = st.checkbox("Re-ingest unchanged files", value=False, key="build_force")
options = build_runner.BuildOptions(mirror, tuple(datasets), allow_partial, force)
command = build_runner.pipeline_command(options)
st.code(
    "python " + " ".join(command[2:]).replace(str(build_runner.PROJECT_DIR) + "/", ""),
    language="bash",
)

if st.button("Build the warehouse", type="primary", key="build_start"):
    lines: list[str] = []
    progress = build_runner.BuildProgress()
    with st.status("Building…", expanded=True) as status:
        phase = st.empty()
        bar = st.progress(0.0)
        log = st.empty()
        for line in build_runner.run_lines(command, warehouse):
            lines.append(line)
            progress.feed(line)
            phase.write(progress.phase)
            bar.progress(progress.fraction)
            log.code("\n".join(lines[-LINES_SHOWN:]), language=None)
        status.update(
            label="Build finished" if progress.succeeded else "Build failed",
            state="complete" if progress.succeeded else "error",
            expanded=not progress.succeeded,
        )
    if progress.succeeded:
        st.success("The warehouse is built.")
        st.button("Open the dashboard", key="build_open")
    else:
        st.error(progress.failure or f"The pipeline ended with exit code {progress.exit_code}.")
