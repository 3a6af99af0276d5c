"""The package as a whole: public names, and a core that never imports streamlit."""

import ast
import pathlib
import re
import subprocess
import sys
import tomllib

import gankmeans

CORE = pathlib.Path(gankmeans.__file__).parent


def test_public_api_matches_the_design():
    for name in ("TrainConfig", "Frame", "train", "GANKMeans", "datasets"):
        assert hasattr(gankmeans, name)


def test_the_core_never_imports_streamlit():
    modules = [f"gankmeans.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__main__"]
    code = f"import sys; import {', '.join(modules)}; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=CORE.parent)
    assert result.stdout.strip() == "False"
    for path in CORE.glob("*.py"):
        assert "import streamlit" not in path.read_text(), path.name


ROOT = CORE.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Import names whose distribution is named differently.
DISTRIBUTIONS = {"sklearn": "scikit-learn"}


def _requirement_names(lines) -> set[str]:
    return {re.split(r"[<>=!~ \[;]", line.strip(), maxsplit=1)[0].lower() for line in lines}


def _third_party_imports(paths) -> set[str]:
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("gankmeans", "__future__")}


def test_pyproject_declares_every_library_the_core_imports():
    declared = _requirement_names(PYPROJECT["project"]["dependencies"])
    imported = {DISTRIBUTIONS.get(name, name) for name in _third_party_imports(CORE.glob("*.py"))}
    assert imported <= declared, f"gankmeans/ imports {imported - declared}, not in pyproject's dependencies"
    assert "streamlit" not in declared  # the app's, in requirements.txt


def test_only_the_library_is_packaged_and_its_version_is_written_once():
    assert PYPROJECT["tool"]["setuptools"]["packages"] == ["gankmeans"]  # ui/ stays the app's folder
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gankmeans.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", gankmeans.__version__)
    assert PYPROJECT["project"]["scripts"]["gankmeans"] == "gankmeans.__main__:main"


def test_requirements_install_the_checkout_plus_the_apps_own_dependencies():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert "-e ." in lines
    app_only = _requirement_names(line for line in lines if line != "-e .")
    assert app_only == {"streamlit"}
    # nothing the library declares is declared a second time, with a second version
    assert not app_only & _requirement_names(PYPROJECT["project"]["dependencies"])
