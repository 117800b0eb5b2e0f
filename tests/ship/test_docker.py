"""The image, checked without a Docker engine: hadolint, then the properties a deployment needs."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.ship.helpers import clean_env, free_port, run_bot

DOCKERFILE = REPO / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    name: str
    args: str


def instructions(path: Path = DOCKERFILE) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined and comments dropped."""
    out: list[Instruction] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        name, _, args = (pending + line).partition(" ")
        out.append(Instruction(name.upper(), " ".join(args.split())))
        pending = ""
    return out


def stages() -> list[list[Instruction]]:
    found: list[list[Instruction]] = []
    for instruction in instructions():
        if instruction.name == "FROM":
            found.append([])
        found[-1].append(instruction)
    return found


def env_of(stage: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in stage:
        if instruction.name == "ENV":
            for item in shlex.split(instruction.args):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def only(stage: list[Instruction], name: str) -> Instruction:
    (found,) = [i for i in stage if i.name == name]
    return found


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint comes with the dev dependencies: pip install -e '.[dev]'"
    out = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_multi_stage_on_a_slim_base() -> None:
    build, runtime = stages()
    assert build[0].args.endswith(" AS build")
    for stage in (build, runtime):
        assert stage[0].args.split()[0].startswith("python:3.11-slim")
    # The runtime stage installs what the build stage made, and no build tools.
    install = [i.args for i in runtime if i.name == "RUN" and "pip install" in i.args]
    assert len(install) == 1 and "from=build" in install[0] and "--no-index" in install[0]
    assert not any("apt-get" in i.args or "gcc" in i.args for i in runtime if i.name == "RUN")


def test_runs_as_a_non_root_user() -> None:
    runtime = stages()[-1]
    user = only(runtime, "USER").args
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) > 0, user
    # Nothing after USER may switch back.
    assert [i.name for i in runtime].index("USER") > max(
        n for n, i in enumerate(runtime) if i.name in ("RUN", "COPY")
    )


def test_command_healthcheck_and_ports() -> None:
    runtime = stages()[-1]
    assert json.loads(only(runtime, "CMD").args) == ["python", "-m", "bot", "run"]
    healthcheck = only(runtime, "HEALTHCHECK").args
    assert "--interval=" in healthcheck and "--timeout=" in healthcheck
    command = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert command == ["python", "-m", "bot", "healthcheck"]  # urllib inside: no curl needed
    env = env_of(runtime)
    exposed = only(runtime, "EXPOSE").args.split()
    assert env["METRICS_PORT"] in exposed


def test_knowledge_is_baked_in_where_the_bot_looks_and_a_volume_can_replace_it() -> None:
    runtime = stages()[-1]
    workdir = only(runtime, "WORKDIR").args
    copies = [i.args.split() for i in runtime if i.name == "COPY"]
    assert ["knowledge", "./knowledge"] in copies
    # Found as ./knowledge (see test_wheel), not through a variable that would override the
    # config file; the same for ./data, the one declared volume. The knowledge is not a
    # VOLUME: a declared volume would hide a newer baked-in pack behind an old copy.
    assert not {"BOT_KNOWLEDGE_DIR", "BOT_DATA_DIR"} & set(env_of(runtime))
    volumes = [json.loads(i.args) for i in runtime if i.name == "VOLUME"]
    assert volumes == [[f"{workdir}/data"]]


def test_the_build_context_holds_only_what_the_build_copies() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*"  # everything out (.env, .git, .venv, tests, data) ...
    allowed = {p[1:] for p in patterns if p.startswith("!")}
    copied = set()
    for stage in stages():
        for instruction in stage:
            if instruction.name == "COPY" and "--from" not in instruction.args:
                copied.update(instruction.args.split()[:-1])
    assert allowed == copied  # ... except exactly what the Dockerfile copies
    for name in copied:
        assert (REPO / name).exists(), name


def test_compose_runs_the_bot_with_postgresql() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert bot["build"] == "."
    assert bot["env_file"] == ".env"  # the secrets
    env = bot["environment"]
    assert env["DATABASE_URL"].startswith("postgresql://studybot:${POSTGRES_PASSWORD")
    assert env["DATABASE_URL"].endswith("@db:5432/studybot")
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(p.endswith(f":{env['METRICS_PORT']}") for p in bot["ports"])
    assert db["image"].startswith("postgres:")
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    assert "db-data:/var/lib/postgresql/data" in db["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert set(compose["volumes"]) == {"db-data", "bot-data"}
    text = (REPO / "compose.yaml").read_text()
    for shape in ("xoxb-", "xapp-", "DISCORD_TOKEN:", "SLACK_BOT_TOKEN:"):
        assert shape not in text.split("\nservices:", 1)[1]


@pytest.mark.parametrize("metrics_port", [None, "closed"])
def test_the_healthcheck_command_fails_without_a_healthy_endpoint(
    tmp_path: Path, metrics_port: str | None
) -> None:
    env = clean_env() if metrics_port is None else clean_env(METRICS_PORT=str(free_port()))
    out = run_bot("healthcheck", "--timeout", "2", env=env, cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.startswith("unhealthy:")
