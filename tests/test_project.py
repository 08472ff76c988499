"""Project wiring: one list of dependencies, the README's commands are the ones CI runs."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest
import yaml

from course_grader.pipeline import REPO_ROOT


def _pyproject():
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def test_environment_yml_installs_pyproject_and_lists_no_second_package_list():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    conda = sorted(d.split("=")[0] for d in deps if isinstance(d, str))
    assert conda == ["pip", "python"], f"conda packages besides python and pip: {conda}"
    pip_lists = [d["pip"] for d in deps if isinstance(d, dict)]
    assert pip_lists == [['-e ".[dev]"']] or pip_lists == [["-e .[dev]"]], pip_lists


def test_environment_python_satisfies_requires_python():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    version = next(d for d in env["dependencies"] if isinstance(d, str)
                   and d.startswith("python="))
    major, minor = (int(x) for x in version.split("=")[1].split(".")[:2])
    floor = re.fullmatch(r">=(\d+)\.(\d+)", _pyproject()["project"]["requires-python"])
    assert floor and (major, minor) >= (int(floor[1]), int(floor[2]))


def test_every_dependency_is_pinned_exactly():
    project = _pyproject()["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["dev"]
    for dep in deps:
        assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==[0-9][^;,<>]*(;.*)?$", dep), dep


def test_tensorflow_wheel_markers_cover_each_platform_exactly_once():
    from packaging.markers import Marker
    deps = _pyproject()["project"]["dependencies"]
    tf = [d for d in deps if d.startswith(("tensorflow==", "tensorflow-cpu=="))]
    platforms = [
        {"sys_platform": "linux", "platform_machine": "x86_64"},
        {"sys_platform": "linux", "platform_machine": "aarch64"},
        {"sys_platform": "win32", "platform_machine": "AMD64"},
        {"sys_platform": "darwin", "platform_machine": "arm64"},
        {"sys_platform": "darwin", "platform_machine": "x86_64"},
    ]
    for env in platforms:
        chosen = [d.split(";")[0] for d in tf if Marker(d.split(";", 1)[1]).evaluate(env)]
        assert len(chosen) == 1, (env, chosen)
    linux = {"sys_platform": "linux", "platform_machine": "x86_64"}
    assert [d.split(";")[0] for d in tf if Marker(d.split(";", 1)[1]).evaluate(linux)] == [
        "tensorflow-cpu==2.21.0"]


def test_ci_runs_the_readme_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    readme = (REPO_ROOT / "README.md").read_text()
    commands = re.findall(r"^make [a-z-]+$", ci, flags=re.M)
    assert commands, ".ci/run runs no make target"
    for command in commands:
        assert command in readme, f"README does not show `{command}`"
    assert "make lab" in readme


def test_makefile_declares_the_documented_targets():
    out = subprocess.run(["make", "-pn", "-f", str(REPO_ROOT / "Makefile"), "setup"],
                         cwd=REPO_ROOT, capture_output=True, text=True, check=False).stdout
    for target in ("lab", "test", "release", "autograde", "formgrader", "feedback", "bench"):
        assert re.search(rf"^{target}:", out, flags=re.M), target


def _printed_by(code: str) -> str:
    """What ``code`` prints when run in a fresh interpreter (nothing imported yet)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_importing_course_utils_does_not_import_tensorflow():
    code = ("import sys, pkgutil, importlib, course_utils\n"
            "for m in pkgutil.walk_packages(course_utils.__path__, 'course_utils.'):\n"
            "    if m.name != 'course_utils.keras_helpers':\n"
            "        importlib.import_module(m.name)\n"
            "print(','.join(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = _printed_by(code)
    assert out == "", f"importing course_utils pulled in {out}"


def test_a_setup_cell_imports_neither_matplotlib_nor_sklearn_until_they_are_used():
    # Every notebook's setup cell imports these; matplotlib and scikit-learn cost a kernel
    # about 1.8 s and come in only with the first plot or the first scikit-learn dataset.
    code = ("import sys\n"
            "from course_utils import plotting, seed_everything\n"
            "from course_utils.data import noisy_series, digits_splits\n"
            "from course_utils.testing import assert_close\n"
            "before = [m for m in ('matplotlib', 'sklearn') if m in sys.modules]\n"
            "plotting.plot_ema_weights\n"
            "digits_splits(n_train=20, n_val=20)\n"
            "after = [m for m in ('matplotlib', 'sklearn') if m in sys.modules]\n"
            "print(before, after)")
    assert _printed_by(code) == "[] ['matplotlib', 'sklearn']"


def test_plotting_lists_and_names_its_plots():
    from course_utils import plotting
    from course_utils.plotting import _losses

    assert "plot_loss_bars" in plotting.__all__ and "plot_loss_bars" in dir(plotting)
    assert plotting.plot_loss_bars is _losses.plot_loss_bars
    with pytest.raises(AttributeError, match="(?s)no plot named 'plot_los'.*Hint: the plots are"):
        plotting.plot_los  # noqa: B018


# ------------------------------------------------------------------------------------------
# the two packages: what students import, and the grader
# ------------------------------------------------------------------------------------------


def _imports_of(path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included), with
    relative imports resolved."""
    import ast

    package = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _modules(package: str) -> dict[str, object]:
    """module name -> path, for every .py file of a top-level package of the repository."""
    out = {}
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        name = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def test_course_utils_holds_only_what_students_import():
    """No module of the students' package imports the grader or nbgrader's machinery."""
    instructor_only = ("course_grader", "nbgrader", "jupyter_client", "nbclient", "sqlalchemy")
    for name, path in _modules("course_utils").items():
        bad = sorted(m for m in _imports_of(path) if m.split(".")[0] in instructor_only)
        assert not bad, f"{name} imports {bad}: instructor tooling belongs in course_grader"


def test_the_grader_package_has_no_import_circle():
    """Module-level and function-level imports together form no cycle inside course_grader
    (a package's __init__ counts as imported by each of its modules)."""
    modules = _modules("course_grader")
    graph = {}
    for name, path in modules.items():
        deps = {m for m in _imports_of(path) if m in modules and m != name}
        parent = name.rsplit(".", 1)[0]
        if parent in modules and parent != name:
            deps.add(parent)
        graph[name] = deps
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle = trail[trail.index(dep):] + [dep]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep, [*trail, dep])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    assert "course_grader.sandbox.execute" in graph  # the analysis saw the sandbox's modules
    assert "course_grader.recheck" in graph["course_grader.sandbox.execute"]


def test_nbgrader_config_names_only_importable_grader_classes():
    """Every dotted class nbgrader_config.py names from this project imports and exists."""
    import importlib

    text = (REPO_ROOT / "nbgrader_config.py").read_text()
    names = sorted(set(re.findall(r'"((?:course_grader|course_utils)\.[\w.]+)"', text)))
    assert any(n.startswith("course_grader.sandbox.") for n in names), names
    for dotted in names:
        module, attr = dotted.rsplit(".", 1)
        assert hasattr(importlib.import_module(module), attr), f"{dotted} does not exist"
