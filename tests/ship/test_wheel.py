"""The wheel the image installs: built from the files the Dockerfile copies, installed into a
fresh virtual environment, and answering from there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import KNOWLEDGE, REPO
from tests.ship.helpers import BOT_VARS

QUESTION = "why did moscow stop selling weapons to beijing?"


def run(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    out = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert out.returncode == 0, f"{args}:\n{out.stdout}\n{out.stderr}"
    return out.stdout


def test_the_wheel_installs_in_a_fresh_venv_and_answers(tmp_path: Path) -> None:
    # The Dockerfile's build stage: pyproject.toml, README.md and bot/, nothing else.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "bot", src / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k not in BOT_VARS and k != "PYTHONPATH"}

    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, src, cwd=tmp_path, env=env)
    (wheel,) = dist.glob("studybot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/__main__.py" in names and "bot/ops/server.py" in names and "bot/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "knowledge/"))]

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path, env=env, timeout=480)

    # Run from an empty folder, so nothing can come from the checkout.
    empty = tmp_path / "run"
    empty.mkdir()
    where = run(python, "-c", "import bot; print(bot.__file__)", cwd=empty, env=env)
    assert where.strip().startswith(str(venv))

    # The knowledge is not in the wheel: BOT_KNOWLEDGE_DIR points at it, as in the image ...
    pointed = {**env, "BOT_KNOWLEDGE_DIR": str(KNOWLEDGE)}
    reply = json.loads(run(python, "-m", "bot", "ask", "--json", QUESTION, cwd=empty, env=pointed))
    assert reply["status"] == "answered"
    assert reply["citation"]["paragraphs"] and "2006" in reply["answer"]

    # ... or ./knowledge is used; with neither, the error says what to set.
    missing = subprocess.run(
        [python, "-m", "bot", "ask", QUESTION], cwd=empty, env=env, capture_output=True, text=True
    )
    assert missing.returncode == 2 and "set BOT_KNOWLEDGE_DIR" in missing.stderr
    (empty / "knowledge").symlink_to(KNOWLEDGE)
    reply = json.loads(run(python, "-m", "bot", "ask", "--json", QUESTION, cwd=empty, env=env))
    assert reply["status"] == "answered"
