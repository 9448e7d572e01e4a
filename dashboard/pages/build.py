"""Build: the pipeline run from the dashboard, followed live.

Without a warehouse the page starts the build itself, from the configured source ($DW_MIRROR,
else a download from upstream), and switches to the dashboard's pages when it succeeds. With
one, it offers a rebuild. Every session follows the same background run; Cancel stops it as
SIGTERM does, leaving the previous warehouse as it was.
"""

import streamlit as st

from dashboard import build_runner, queries

LINES_SHOWN = 40
REFRESH_SECONDS = 1.0
# Set in a session whose dashboard had nothing to show and started the build itself.
BUILT_FROM_NOTHING = "build_started_without_a_warehouse"

warehouse = queries.warehouse_path()
has_warehouse = queries.warehouse_version() is not None
if has_warehouse and st.session_state.pop(BUILT_FROM_NOTHING, False):
    st.switch_page("pages/overview.py")  # the build this session waited for is there

st.title("Build the warehouse")

if not build_runner.build_allowed():
    if not has_warehouse:
        st.warning(f"There is no warehouse at `{warehouse}` yet.")
    st.info(
        "Building from the dashboard is off: it listens beyond this machine "
        f"(server.address {st.get_option('server.address') or 'unset: every interface'}), and "
        "anyone who reaches it could start a build. Build from a shell (`python "
        f"run_pipeline.py`), or set {build_runner.BUILD_SWITCH}=1 where the dashboard runs to "
        "allow it (see the README)."
    )
    st.stop()

job = build_runner.current_job()
if job is None or not job.running:
    holder = build_runner.running_build()
    if holder is not None:
        st.warning(
            f"A build is already running: {holder}. The dashboard keeps showing the current "
            "warehouse; reload this page when it has finished."
        )
        st.stop()

if job is None and not has_warehouse:
    # Nothing to show yet: build it, from the configured source.
    options = build_runner.BuildOptions(mirror=build_runner.default_mirror())
    job = build_runner.start_job(options)
if job is not None and job.running and not has_warehouse:
    st.session_state[BUILT_FROM_NOTHING] = True


@st.fragment(run_every=REFRESH_SECONDS)
def follow(job: build_runner.BuildJob) -> None:
    """The run's stage, bar and last lines, refreshed every second; the app reruns when the
    run ends, so a new warehouse brings the dashboard's pages without a reload."""
    progress = job.progress
    st.write(progress.phase)
    st.progress(progress.fraction)
    st.code("\n".join(job.tail(LINES_SHOWN)) or "starting…", language=None)
    if not job.running:
        st.rerun()
    if st.button("Cancel the build", key="build_cancel"):
        job.cancel()
        st.caption("Stopping: the pipeline removes its temporary files and keeps the warehouse.")


if job is not None and job.running:
    source = "`" + " ".join(job.command[2:]).replace(str(build_runner.PROJECT_DIR) + "/", "") + "`"
    if has_warehouse:
        st.caption(
            f"Rebuilding `{warehouse}` (python {source}). The dashboard stays usable meanwhile: "
            "the pipeline builds into a temporary file and replaces the warehouse only when the "
            "build succeeds."
        )
    else:
        st.info(
            f"There is no warehouse at `{warehouse}` yet, so the dashboard is building it "
            f"(python {source}); its pages appear when the build succeeds."
        )
    follow(job)
    st.stop()

if job is not None and not job.progress.succeeded:
    st.error(job.progress.failure or f"The build ended with exit code {job.progress.exit_code}.")
    with st.expander("The pipeline's output", expanded=not has_warehouse):
        st.code("\n".join(job.tail(LINES_SHOWN * 5)), language=None)
    if st.button("Try again", key="build_retry"):
        build_runner.forget_job()
        st.rerun()
elif job is not None:
    st.success("The warehouse was built.")

if not has_warehouse:
    st.stop()

st.subheader("Rebuild")
mirror = st.text_input(
    "Mirror folder (empty: download from upstream)",
    value=build_runner.default_mirror(),
    help="A local copy laid out as <dataset>/<path inside the upstream repository>, "
    "relative to the project folder or absolute ($DW_MIRROR sets the default).",
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
    build_runner.start_job(options)
    st.rerun()
