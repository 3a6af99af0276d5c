"""The package as a whole: public names, and a core that never imports streamlit."""

import ast
import importlib.util
import pathlib
import re
import subprocess
import sys
import tomllib

import pytest

import gankmeans

CORE = pathlib.Path(gankmeans.__file__).parent


def test_public_api_matches_the_design():
    for name in ("TrainConfig", "Frame", "train", "GANKMeans", "datasets", "sweep"):
        assert hasattr(gankmeans, name)
        assert name in gankmeans.__all__
    assert callable(gankmeans.sweep)  # the function (its module is gankmeans.sweeps)


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
    imported = {DISTRIBUTIONS.get(name, name) for name in _third_party_imports(CORE.rglob("*.py"))}
    assert imported <= declared, f"gankmeans/ imports {imported - declared}, not in pyproject's dependencies"
    assert "streamlit" not in declared  # the app's, in requirements.txt


def test_only_the_library_is_packaged_and_its_version_is_written_once():
    # ui/ stays the app's folder; the player's scripts travel with the library (the HTML export)
    assert PYPROJECT["tool"]["setuptools"]["packages"] == ["gankmeans", "gankmeans.player"]
    shipped = PYPROJECT["tool"]["setuptools"]["package-data"]["gankmeans.player"]
    assert {path.suffix for path in (CORE / "player").glob("*.*") if path.suffix != ".py"} <= {
        pattern.removeprefix("*") for pattern in shipped} and "__pycache__" not in shipped
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gankmeans.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", gankmeans.__version__)
    assert PYPROJECT["project"]["scripts"]["gankmeans"] == "gankmeans.__main__:main"


def test_requirements_install_the_checkout_plus_the_apps_own_dependencies():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert "-e ." in lines
    app_only = _requirement_names(line for line in lines if line != "-e .")
    assert app_only == {"streamlit", "threadpoolctl"}
    # nothing the library declares is declared a second time, with a second version
    assert not app_only & _requirement_names(PYPROJECT["project"]["dependencies"])


# --- no module uses another project module's private (underscored) names ------------------------

SOURCES = [*CORE.glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py",
           *(ROOT / "benchmarks").glob("*.py")]
PROJECT = {"gankmeans", "ui", "app", *(path.stem for path in (ROOT / "benchmarks").glob("*.py"))}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists() or (
        ROOT / "benchmarks" / f"{dotted}.py").exists()


def _absolute(node: ast.ImportFrom, path: pathlib.Path) -> str:
    """The module an import reads from, as a dotted name from the repository root."""
    if not node.level:
        return node.module
    package = path.relative_to(ROOT).with_suffix("").parts[:-node.level]  # level 1: the module's own package
    return ".".join([*package, *([node.module] if node.module else [])])


def private_imports(source: str, path: pathlib.Path) -> list[str]:
    """Each place ``source`` imports, or reads off an imported project module, an underscored name."""
    tree, modules, found = ast.parse(source), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(node, path)
            if module.split(".")[0] not in PROJECT:
                continue
            for alias in node.names:
                if _is_private(alias.name) or any(map(_is_private, module.split("."))):
                    found.append(f"line {node.lineno}: from {module} import {alias.name}")
                elif _is_module(f"{module}.{alias.name}"):
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT:
                    if any(map(_is_private, alias.name.split("."))):
                        found.append(f"line {node.lineno}: import {alias.name}")
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and _is_private(node.attr)
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    found = {str(path.relative_to(ROOT)): private_imports(path.read_text(), path) for path in SOURCES}
    assert not {name: places for name, places in found.items() if places}


@pytest.mark.parametrize("source", [
    "from .plotting import _AXIS",
    "from gankmeans.plotting import TRUSTED, _figure",
    "from . import plotting\nplotting._figure()",
    "import gankmeans.plotting as p\np._AXIS",
    "from gankmeans._secret import thing",
    "from ui import view\nview._helper",
])
def test_the_private_import_check_finds_each_form(source):
    assert private_imports(source, CORE / "animation.py")


@pytest.mark.parametrize("source", [
    "from . import __version__, plotting\nplotting.TRUSTED",
    "from sklearn.utils._openmp_helpers import _openmp_effective_n_threads",  # not ours
    "from .frame import Frame\nFrame(1)._replace",  # an attribute of an object, not of a module
    "def _mine():\n    pass\n_mine()",
])
def test_the_private_import_check_allows_public_and_foreign_names(source):
    assert private_imports(source, CORE / "animation.py") == []


# --- the README's library snippet, which CI runs against the installed wheel (.ci/check_wheel) -----


@pytest.fixture(scope="module")
def readme_snippet():
    spec = importlib.util.spec_from_file_location("readme_snippet", ROOT / ".ci" / "readme_snippet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.library_snippet


def test_ci_finds_the_readmes_library_snippet(readme_snippet):
    code = readme_snippet((ROOT / "README.md").read_text(encoding="utf-8"))
    compile(code, "README.md", "exec")
    assert "from gankmeans import" in code and "GANKMeans(" in code


def test_the_snippet_is_the_library_sections_python_only(readme_snippet):
    readme = ("# Title\n```python\nbefore = 0\n```\n## The library\n```python\n"
              "# a comment, not a heading\nx = 1\n```\n```bash\nls\n```\n"
              "### Detail\n```python\ny = 2\n```\n## Next\n```python\nz = 3\n```\n")
    assert readme_snippet(readme) == "# a comment, not a heading\nx = 1\n\ny = 2\n"
    with pytest.raises(ValueError, match="library"):
        readme_snippet("# Title\n## Usage\n```python\nx = 1\n```\n")
