"""GANKMeans in the browser: `streamlit run app.py` (glue only: widgets -> run -> view)."""

from __future__ import annotations

import streamlit as st

from ui import controls, data, explore, runs_panel, session, share, upload, view


def main() -> None:
    st.set_page_config(page_title="GANKMeans", page_icon="🎯", layout="wide")
    controls.init_state()
    explore.init_state()
    url_notes = share.restore_once()  # before the widgets draw, so they show the linked values
    pool_error = session.start_pool()  # once per server, in the background: it takes seconds
    regions_slot = controls.sidebar(session.buttons_status(), session.ACTIONS)
    notice = session.sync()
    values = controls.values()
    view.page_style()
    st.title("GANKMeans: watch it learn")
    st.caption("K-Means is the teacher; a small network, trained adversarially, is the student. "
               "Hollow markers are points the student decided.")
    if notice:
        st.info(notice, icon=":material/restart_alt:")
    runs_panel.restore_note()
    if pool_error:
        st.error(f"Training cannot start: {pool_error}")
    upload.show_error()
    if url_notes:
        st.warning("Some settings in the link could not be used:\n\n- " + "\n- ".join(url_notes))
    share.mirror(values)
    with st.sidebar:
        share.copy_link(values)
    try:
        dataset = data.current(values)
    except ValueError as exc:
        st.error(f"Cannot make this data set: {exc}")
        return
    if st.session_state.get("setup_error"):
        st.error(f"Cannot start: {st.session_state['setup_error']}")
    controls.regions_switch(regions_slot, dataset.X.shape[1] == 2)
    view.run_error()
    view.live_panel(dataset, values)
    view.downloads(dataset, values)
    view.gallery(dataset, values)
    view.comparison(dataset, values)
    explore.panel()
    runs_panel.panel()


# Streamlit runs this file as "__main__". The training processes are started by multiprocessing
# (forkserver or spawn), which re-imports the server's main script in the child under the name
# "__mp_main__"; ui.pool hides this file from it, but a rerun in another session can make it the
# main script again at any instant. Guarded, that import only defines functions (unguarded, the child ran
# the whole app, tried to start a process of its own, and died).
if __name__ == "__main__":
    main()
