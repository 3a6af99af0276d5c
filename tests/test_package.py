"""The package as a whole: public names, and a core that never imports streamlit."""

import pathlib
import subprocess
import sys

import gankmeans

CORE = pathlib.Path(gankmeans.__file__).parent


def test_public_api_matches_the_design():
    for name in ("TrainConfig", "Frame", "train", "GANKMeans", "datasets", "sweep"):
        assert hasattr(gankmeans, name)
        assert name in gankmeans.__all__
    assert callable(gankmeans.sweep)  # the function, not its module (gankmeans/sweep.py)


def test_the_core_never_imports_streamlit():
    modules = [f"gankmeans.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__main__"]
    code = f"import sys; import {', '.join(modules)}; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=CORE.parent)
    assert result.stdout.strip() == "False"
    for path in CORE.glob("*.py"):
        assert "import streamlit" not in path.read_text(), path.name
