"""The student edition (`make student-edition`) holds what a student needs and nothing more.

It is built once into a temporary folder; a fresh copy is unpacked from its archive, exactly
what an instructor publishes. That copy gets a virtual environment made with this interpreter
whose packages are the repository's (no second TensorFlow install), the edition's own
`pip install -e .` and its own `make lab`: the server it starts is checked as a browser sees it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path
from urllib.error import HTTPError, URLError

import nbformat
import pytest

from tests.conftest import chromium_or_skip
from tests.serving import free_port
from tools import student_edition as se

REPO = se.REPO_ROOT
ASSIGNMENT = se.ASSIGNMENT  # the English edition, whose menus the browser test reads
START = f"notebooks/{ASSIGNMENT}/00_start_here.ipynb"
START_RU = f"notebooks/{se.ASSIGNMENTS[0]}/00_start_here.ipynb"  # what `make lab` opens


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    folder = se.build(tmp_path_factory.mktemp("dist"))
    se.archive(folder)
    return folder


@pytest.fixture(scope="module")
def fresh_copy(edition, tmp_path_factory) -> Path:
    """The published archive unpacked elsewhere, with a venv on the repository's packages."""
    root = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(edition.with_suffix(".zip")) as zf:
        zf.extractall(root)
    copy = root / se.NAME
    venv = copy / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "repository-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "-e", str(copy)], check=True, cwd=root)
    # What pip would also have put into the venv: Jupyter's data and config files (nbgrader's
    # lab extension, its server extensions' switches) and the console scripts.
    for part in ("share/jupyter", "etc/jupyter"):
        shutil.copytree(Path(sys.prefix) / part, venv / part, symlinks=True)
    for name in ("jupyter", "jupyter-lab", "jupyter-labextension", "nbgrader"):
        script = (Path(sys.prefix) / "bin" / name).read_text().split("\n", 1)[1]
        (venv / "bin" / name).write_text(f"#!{python}\n{script}")
        (venv / "bin" / name).chmod(0o755)
    (venv / ".installed").touch()  # what `make setup` leaves behind: `make lab` skips set-up
    return copy


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _regions(kind: str) -> set[str]:
    """Stripped lines (12+ characters) of every `### BEGIN <kind>` region in solutions/; for
    SOLUTION also every answer cell without markers (nbgrader replaces all of it)."""
    lines: set[str] = set()
    for path in (REPO / "solutions" / ASSIGNMENT).glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            inside = (kind == "SOLUTION" and "BEGIN SOLUTION" not in source
                      and cell["metadata"].get("nbgrader", {}).get("solution", False))
            for line in source.splitlines():
                if re.match(rf"\s*(###|===) (BEGIN|END) {kind}\b", line):
                    inside = "BEGIN" in line
                elif inside and len(line.strip()) >= 12:
                    lines.add(line.strip())
    return lines


def _release_lines() -> set[str]:
    return {line.strip()
            for path in (REPO / "notebooks" / ASSIGNMENT).glob("*.ipynb")
            for cell in json.loads(path.read_text())["cells"]
            for line in "".join(cell["source"]).splitlines()}


# --- contents --------------------------------------------------------------------------------

def test_edition_holds_the_release_course_utils_and_the_students_files_only(edition):
    assert {p.name for p in edition.iterdir()} == {
        "README.md", "Makefile", "pyproject.toml", ".jupyter", "course_utils", "notebooks"}
    files = _files(edition)
    releases = {f"notebooks/{a}/{name}": data for a in se.ASSIGNMENTS
                for name, data in _files(REPO / "notebooks" / a).items()}
    assert len(releases) == 2 * len(list((REPO / "notebooks" / ASSIGNMENT).glob("*.ipynb")))
    assert {k: v for k, v in files.items() if k.startswith("notebooks/")} == releases
    package = {name: data for name, data in _files(REPO / "course_utils").items()
               if not name.startswith("grading/") and "__pycache__" not in name
               and not name.endswith(".pyc")}
    assert {k: v for k, v in files.items() if k.startswith("course_utils/")} == {
        f"course_utils/{name}": data for name, data in package.items()}
    assert {k for k in files if k.startswith(".jupyter/")} == {
        ".jupyter/labconfig/page_config.json",
        ".jupyter/jupyter_server_config.d/student-edition.json",
        ".jupyter/ru/labconfig/default_setting_overrides.json"}


def test_edition_has_no_instructor_path(edition):
    forbidden = {"solutions", "tests", "mistakes", "adversarial", "grading", "bench", ".git",
                 "gradebook.db", "nbgrader_config.py", "submitted", "autograded", "feedback",
                 "environment.yml", "__pycache__"}
    for name in _files(edition):
        assert not forbidden.intersection(Path(name).parts), name


def test_no_solution_or_hidden_test_text_anywhere_in_the_edition(edition):
    public = _release_lines()
    hidden = (_regions("HIDDEN TESTS") | _regions("MARK SCHEME")) - public
    solution = _regions("SOLUTION") - public
    assert hidden and solution, "no solution regions found in solutions/"
    for name, data in _files(edition).items():
        text = data.decode()
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "MARK SCHEME",
                       "### BEGIN"):
            assert marker not in text, f"{name} contains {marker!r}"
        lines = {line.strip() for line in text.splitlines()}
        if name.endswith(".ipynb"):
            lines = {line.strip() for cell in json.loads(text)["cells"]
                     for line in "".join(cell["source"]).splitlines()}
        assert not lines & hidden, f"{name} holds hidden-test lines: {sorted(lines & hidden)}"
        # course_utils is the reference students compare with: it states the same formulas.
        if not name.startswith("course_utils/"):
            assert not lines & solution, f"{name} holds solution lines: {sorted(lines & solution)}"


def test_the_build_scan_finds_nothing_in_a_fresh_build(edition):
    assert se.leaks(edition) == []


@pytest.mark.parametrize("plant", [
    "solution line in a notebook", "hidden-test line in course_utils", "region marker",
    "grading package", "tests folder", "gradebook", "git folder", "nbgrader config",
])
def test_the_build_scan_reports_each_kind_of_leak(edition, tmp_path, plant):
    folder = tmp_path / se.NAME
    shutil.copytree(edition, folder)
    solution = sorted(_regions("SOLUTION") - _release_lines())[0]
    hidden = sorted(_regions("HIDDEN TESTS") - _release_lines())[0]
    notebook = folder / START
    if plant == "solution line in a notebook":
        nb = json.loads(notebook.read_text())
        nb["cells"][-1]["source"] = f"x = 1\n    {solution}\n"
        notebook.write_text(json.dumps(nb))
    elif plant == "hidden-test line in course_utils":
        with open(folder / "course_utils" / "testing.py", "a") as f:
            f.write(f"\n# {hidden}\n{hidden}\n")
    elif plant == "region marker":
        with open(folder / "README.md", "a") as f:
            f.write("\n### BEGIN HIDDEN TESTS\n")
    else:
        path = {"grading package": "course_grader/__init__.py",
                "tests folder": "tests/test_losses.py", "gradebook": "gradebook.db",
                "git folder": ".git/HEAD", "nbgrader config": "nbgrader_config.py"}[plant]
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text("x = 1\n")
    assert se.leaks(folder), f"the scan missed a planted {plant}"


def test_archive_holds_exactly_the_folder_and_is_reproducible(edition, tmp_path):
    archive = edition.with_suffix(".zip")
    with zipfile.ZipFile(archive) as zf:
        packed = {name.removeprefix(f"{se.NAME}/"): zf.read(name) for name in zf.namelist()}
        assert all(name.startswith(f"{se.NAME}/") for name in zf.namelist())
    assert packed == _files(edition)
    again = se.archive(shutil.copytree(edition, tmp_path / se.NAME))
    assert again.read_bytes() == archive.read_bytes()


def test_pins_are_the_repositorys_runtime_dependencies_without_the_test_tools(edition):
    repo = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    ours = tomllib.loads((edition / "pyproject.toml").read_text())["project"]
    assert ours["dependencies"] == repo["dependencies"]
    assert ours["requires-python"] == repo["requires-python"]
    assert "optional-dependencies" not in ours
    text = (edition / "pyproject.toml").read_text()
    for tool in ("pytest", "nbval", "ruff", "pyyaml"):
        assert tool not in text, tool
    assert any(d.startswith("nbgrader==") for d in ours["dependencies"]), "Validate needs nbgrader"


# --- the README's two commands ---------------------------------------------------------------

def _make_dry_run(target: str, cwd) -> str:
    """What ``make <target>`` would run in ``cwd`` (no "Entering directory" lines, also when
    the tests themselves run under make)."""
    return subprocess.run(["make", "--no-print-directory", "-n", target], cwd=cwd,
                          capture_output=True, text=True, check=True).stdout


def test_readme_shows_two_commands_and_the_makefile_runs_them(fresh_copy, tmp_path):
    readme = (fresh_copy / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make setup", "make lab", "make lab EDITION=en"]
    assert "{notebooks}" not in readme and "{notebooks_ru}" not in readme
    for path in re.findall(r"notebooks/[\w/]+\.ipynb", readme):
        assert (fresh_copy / path).is_file(), f"README names a missing notebook {path}"
    # What the set-up does in a copy without .venv: a venv, then the edition's pinned package.
    bare = shutil.copytree(fresh_copy, tmp_path / "bare", ignore=shutil.ignore_patterns(".venv"))
    setup = _make_dry_run("setup", bare)
    assert "-m venv .venv" in setup and re.search(r"pip install .*-e \.$", setup, flags=re.M)
    assert "[dev]" not in setup and "pytest" not in setup
    lab = _make_dry_run("lab", fresh_copy)
    assert "pip install" not in lab, "make lab reinstalls although set-up is done"
    assert re.search(rf"bin/jupyter lab .*--LabApp.default_url=/lab/tree/{START_RU}", lab)
    english = subprocess.run(["make", "--no-print-directory", "-n", "lab", "EDITION=en"],
                             cwd=fresh_copy, capture_output=True, text=True, check=True).stdout
    assert re.search(rf"bin/jupyter lab .*--LabApp.default_url=/lab/tree/{START}", english)
    wrong = subprocess.run(["make", "-n", "lab", "EDITION=de"], cwd=fresh_copy,
                           capture_output=True, text=True)
    assert wrong.returncode != 0 and "EDITION must be ru or en; got 'de'" in wrong.stderr


def test_repository_lab_lands_on_start_here_too():
    lab = _make_dry_run("lab", REPO)
    assert re.search(rf"bin/jupyter lab .*--LabApp.default_url=/lab/tree/{START_RU}", lab)
    assert (REPO / START_RU).is_file() and (REPO / START).is_file()


def test_course_utils_imports_from_the_edition_without_the_grading_package(fresh_copy):
    code = ("import importlib, pkgutil, sys, course_utils\n"
            "names = [m.name for m in pkgutil.walk_packages(course_utils.__path__, 'course_utils.')"
            " if m.name != 'course_utils.keras_helpers']\n"
            "for name in names:\n"
            "    importlib.import_module(name)\n"
            "print(course_utils.__file__)\n"
            "try:\n"
            "    import course_grader\n"
            "except ModuleNotFoundError:\n"
            "    print('no grading package')\n")
    out = subprocess.run([str(fresh_copy / ".venv" / "bin" / "python"), "-c", code],
                         cwd=fresh_copy / "notebooks" / ASSIGNMENT, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert Path(out[0]).resolve() == (fresh_copy / "course_utils" / "__init__.py").resolve()
    assert out[1] == "no grading package"


# --- the student's JupyterLab ----------------------------------------------------------------

def test_disabled_names_are_the_installed_packages_own():
    import jupyterlab
    import nbgrader

    root = Path(nbgrader.__file__).parent
    bundle = "".join(p.read_text() for p in (root / "labextension" / "static").glob("*.js"))
    for plugin in (*se.DISABLED_LAB_PLUGINS, se.KEPT[0]):
        assert f'"{plugin}"' in bundle, f"nbgrader has no lab plugin {plugin}"
    lab = Path(jupyterlab.__file__).parent / "static"
    if not lab.is_dir():
        lab = Path(sys.prefix) / "share" / "jupyter" / "lab" / "static"
    core = "".join(p.read_text() for p in lab.glob("jlab_core*.js"))
    for plugin in se.DISABLED_LAB_EXTRAS:
        assert f'"{plugin}"' in core, f"JupyterLab has no plugin {plugin}"
    shipped = json.loads(
        (Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json")
        .read_text())["ServerApp"]["jpserver_extensions"]
    assert set(se.DISABLED_SERVER_EXTENSIONS) | {se.KEPT[1]} == set(shipped)


def test_edition_config_switches_off_the_instructor_server_extensions(fresh_copy):
    """The lab side (page config) is checked on the running server below."""
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(fresh_copy / ".jupyter")}
    bin_dir = fresh_copy / ".venv" / "bin"
    # The server merges every config directory the way ServerApp.find_server_extensions does.
    code = ("from jupyter_server.serverapp import ServerApp\n"
            "from jupyter_server.extension.config import ExtensionConfigManager\n"
            "import json\n"
            "paths = ServerApp().config_file_paths\n"
            "print(json.dumps(ExtensionConfigManager(read_config_path=paths)"
            ".get_jpserver_extensions()))")
    merged = json.loads(subprocess.run([str(bin_dir / "python"), "-c", code], env=env,
                                       capture_output=True, text=True, check=True).stdout)
    assert {name: merged[name] for name in se.DISABLED_SERVER_EXTENSIONS} == dict.fromkeys(
        se.DISABLED_SERVER_EXTENSIONS, False)
    assert merged[se.KEPT[1]] is True


def _start_lab(fresh_copy, log: Path, *make_args: str):
    """The edition's own `make lab` in the fresh copy; returns (process, base URL, token)."""
    port, token = free_port(), secrets.token_hex(16)
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} "
            "--ServerApp.port_retries=0")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    with open(log, "wb") as out:
        proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}", *make_args],
                                cwd=fresh_copy, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
            return proc, base, token
        except (URLError, ConnectionError, OSError):
            if proc.poll() is not None or time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGTERM)
                pytest.fail(f"the edition's `make lab` did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)


def _stop_lab(proc) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def student_lab(fresh_copy, tmp_path_factory):
    """`make lab EDITION=en` in the fresh copy (English menus, which the browser test reads);
    yields (base URL, token, its output)."""
    log = tmp_path_factory.mktemp("lab") / "lab.log"
    proc, base, token = _start_lab(fresh_copy, log, "EDITION=en")
    yield base, token, log
    _stop_lab(proc)


def test_student_lab_opens_the_russian_edition_with_russian_menus(fresh_copy, tmp_path):
    proc, base, token = _start_lab(fresh_copy, tmp_path / "lab.log")  # plain `make lab`
    try:
        assert f"{base}/lab/tree/{START_RU}?token=" in (tmp_path / "lab.log").read_text()
        status, body = _status(base, token, f"/api/contents/{START_RU}")
        assert status == 200 and json.loads(body)["type"] == "notebook"
        _, body = _status(base, token,
                          "/lab/api/settings/@jupyterlab/translation-extension:plugin")
        schema = json.loads(body)["schema"]  # overrides become the schema's defaults
        assert schema["properties"]["locale"]["default"] == "ru_RU"
        _, body = _status(base, token, "/lab/api/translations/ru_RU")
        assert "Файл" in json.dumps(json.loads(body)["data"], ensure_ascii=False)
    finally:
        _stop_lab(proc)


def _status(base: str, token: str, path: str, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read()
    except HTTPError as e:
        return e.code, b""


def test_student_lab_prints_the_link_that_lands_on_start_here(student_lab):
    base, token, log = student_lab
    assert f"{base}/lab/tree/{START}?token=" in log.read_text()
    status, page = _status(base, token, f"/lab/tree/{START}")
    assert status == 200 and b"JupyterLab" in page
    status, body = _status(base, token, f"/api/contents/{START}")
    assert status == 200 and json.loads(body)["type"] == "notebook"


def test_student_lab_serves_validate_and_no_instructor_tool(student_lab):
    base, token, _ = student_lab
    _, page = _status(base, token, f"/lab/tree/{START}")
    config = json.loads(re.search(rb'id="jupyter-config-data"[^>]*>(.*?)</script>', page,
                                  flags=re.S).group(1))
    assert set(se.DISABLED_LAB_PLUGINS + se.DISABLED_LAB_EXTRAS) <= set(
        config["disabledExtensions"])
    assert se.KEPT[0] not in config["disabledExtensions"]
    for path in ("/formgrader", "/formgrader/gradebook", "/formgraders", "/assignments",
                 "/courses"):
        assert _status(base, token, path)[0] == 404, path
    assert _status(base, token, "/assignments/validate")[0] == 405  # POST only: it is there


# -- the student's JupyterLab in a real browser --------------------------------------------

_INSTRUCTOR_LABELS = ("Formgrader", "Create Assignment", "Assignment List", "Course List",
                      "Courses", "Manage Assignments")


def _kernel_idle(base: str, token: str, path: str) -> bool:
    _, body = _status(base, token, "/api/sessions")
    kernels = [s["kernel"] for s in json.loads(body or b"[]") if s.get("path") == path]
    return bool(kernels) and all(k["execution_state"] == "idle" for k in kernels)


def _menu_labels(page) -> list[str]:
    """Every item of every menu of the menu bar, as a student can open them."""
    labels = []
    for i in range(page.locator(".lm-MenuBar-item").count()):
        page.locator(".lm-MenuBar-item").nth(i).click()
        labels += page.locator(".lm-Menu-itemLabel").all_inner_texts()
        page.keyboard.press("Escape")
    return labels


@pytest.fixture(scope="module")
def validated_in_the_browser(student_lab, fresh_copy, tmp_path_factory):
    """A student opens their finished notebook 02 in the edition's JupyterLab, runs all
    cells and presses Validate; returns what the browser showed and what was saved."""
    from playwright.sync_api import sync_playwright

    from course_grader import pipeline

    chromium = chromium_or_skip()
    base, token, _ = student_lab
    name = "02_moving_average"
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{name}.ipynb", as_version=4)
    path = f"notebooks/{ASSIGNMENT}/{name}_done.ipynb"
    release = fresh_copy / "notebooks" / ASSIGNMENT / f"{name}.ipynb"
    done = pipeline.fill_answers(nbformat.read(release, as_version=4),
                                 {**pipeline.solution_answers(source),
                                  **pipeline.written_answers(source)})
    nbformat.write(done, fresh_copy / path)
    shots = tmp_path_factory.mktemp("screenshots")
    seen = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/lab/tree/{path}?token={token}")
        page.locator(".validate-button").first.wait_for(timeout=120_000)
        seen["menu_labels"] = _menu_labels(page)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.wait_for_timeout(1000)
        deadline = time.monotonic() + 240
        while not _kernel_idle(base, token, path) and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        seen["dialogs_before_validate"] = page.locator(".jp-Dialog").all_inner_texts()
        page.locator(".validate-button").first.click()
        result = page.locator(".validation-success, .validation-failed").first
        result.wait_for(timeout=300_000)
        seen["validate_dialog"] = result.inner_text()
        seen["screenshot"] = shots / "validate.png"
        page.screenshot(path=str(seen["screenshot"]))
        browser.close()
    _, body = _status(base, token, f"/api/contents/{path}")
    seen["saved"] = json.loads(body)["content"]
    return seen


def test_student_lab_in_a_browser_shows_no_instructor_tool(validated_in_the_browser):
    labels = validated_in_the_browser["menu_labels"]
    assert "Run All Cells" in labels  # the menus really were read
    assert [x for x in labels if x in _INSTRUCTOR_LABELS] == []
    assert validated_in_the_browser["dialogs_before_validate"] == []  # no error on opening


def test_student_runs_the_notebook_in_the_browser_and_validate_says_it_passes(
        validated_in_the_browser):
    seen = validated_in_the_browser
    assert "Success! Your notebook passes all the tests." in seen["validate_dialog"]
    code = [c for c in seen["saved"]["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code), "Run All did not run every cell"
    assert any("image/png" in o.get("data", {}) for c in code for o in c["outputs"])
    png = seen["screenshot"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
