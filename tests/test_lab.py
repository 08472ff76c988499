"""`make lab` (the README's run command) really opens the workbook in JupyterLab.

The test starts the same make target on a free port without a browser, then talks to the
server as the browser would: the Lab page, the student notebooks, and a kernel that imports
the workbook's packages.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.request
from urllib.error import URLError

import pytest

from course_grader.pipeline import EDITIONS, REPO_ROOT
from tests.serving import free_port


@pytest.fixture(scope="module")
def lab_server():
    port, token = free_port(), secrets.token_hex(16)
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token={token} "
            "--ServerApp.port_retries=0")
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
            break
        except (URLError, ConnectionError, OSError):
            if proc.poll() is not None or time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGTERM)
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"`make lab` did not start JupyterLab:\n{out[-3000:]}")
            time.sleep(0.5)
    yield base, token
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _get(base, token, path):
    with urllib.request.urlopen(f"{base}{path}?token={token}", timeout=30) as r:
        return r.status, r.read()


def test_lab_serves_the_jupyterlab_page(lab_server):
    status, body = _get(*lab_server, "/lab")
    assert status == 200 and b"JupyterLab" in body


def test_lab_lists_every_student_notebook_of_both_editions(lab_server):
    for edition in EDITIONS.values():
        _, body = _get(*lab_server, f"/api/contents/notebooks/{edition}")
        names = {item["name"] for item in json.loads(body)["content"]}
        expected = {p.name for p in (REPO_ROOT / "notebooks" / edition).glob("*.ipynb")}
        assert expected and expected <= names


def test_lab_opens_the_russian_edition_with_jupyterlab_in_russian(lab_server):
    base, token = lab_server
    with urllib.request.urlopen(f"{base}/?token={token}", timeout=30) as r:  # follows redirects
        assert r.url.split("?")[0] == (
            f"{base}/lab/tree/notebooks/{EDITIONS['ru']}/00_start_here.ipynb")
    _, body = _get(*lab_server, "/lab/api/settings/@jupyterlab/translation-extension:plugin")
    schema = json.loads(body)["schema"]  # overrides become the schema's defaults
    assert schema["properties"]["locale"]["default"] == "ru_RU"
    _, body = _get(*lab_server, "/lab/api/translations/ru_RU")
    messages = json.loads(body)["data"]
    assert "Файл" in json.dumps(messages, ensure_ascii=False)


def test_lab_kernel_is_the_workbook_environment(lab_server):
    _, body = _get(*lab_server, "/api/kernelspecs")
    specs = json.loads(body)
    assert specs["default"] in specs["kernelspecs"]
    _, body = _get(*lab_server, f"/api/contents/notebooks/{EDITIONS['ru']}/00_start_here.ipynb")
    nb = json.loads(body)["content"]
    assert nb["metadata"]["kernelspec"]["name"] in specs["kernelspecs"]
