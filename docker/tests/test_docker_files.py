"""Docker cannot run here, so the images and the local stack are checked structurally: pinned
base images, non-root user, health checks, no secrets, and consistency with the code they
package (package.json, the Airflow pins, the server's metric names)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[1]
REPO = DOCKER.parent
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))
SECRET_WORDS = re.compile(r"(?i)(password|secret|token|api_key|access_key)")


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (k, _) in enumerate(steps) if k == "FROM")
    return steps[last_from:]


def resolved_images(steps: list[tuple[str, str]]) -> list[str]:
    args = {}
    for keyword, rest in steps:
        if keyword == "ARG" and "=" in rest:
            name, value = rest.split("=", 1)
            args.setdefault(name, value)
    images = []
    for keyword, rest in steps:
        if keyword == "FROM":
            image = rest.split()[0]
            images.append(re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), image))
    return images


def is_pinned(image: str, stage_names: set[str]) -> bool:
    if image in stage_names or "@sha256:" in image:
        return True
    _, _, tag = image.rpartition(":")
    # major.minor at least: Postgres tags are exact at 16.4, Node and Prometheus at x.y.z.
    return bool(re.match(r"^v?\d+\.\d+", tag)) and "latest" not in tag


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_base_images_are_pinned_to_exact_versions(dockerfile):
    steps = instructions(dockerfile)
    stages = {rest.split()[-1] for k, rest in steps if k == "FROM" and " AS " in rest.upper()}
    for image in resolved_images(steps):
        assert is_pinned(image, stages), image


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_final_stage_runs_as_non_root_with_a_healthcheck(dockerfile):
    stage = final_stage(instructions(dockerfile))
    users = [rest for k, rest in stage if k == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    assert any(k == "HEALTHCHECK" and "CMD" in rest for k, rest in stage)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_no_secrets_baked_into_images(dockerfile):
    for keyword, rest in instructions(dockerfile):
        if keyword in ("ENV", "ARG"):
            for name in re.findall(r"(\w+)=", rest) or [rest.split("=")[0]]:
                assert not SECRET_WORDS.search(name), f"{keyword} {rest}"
        if keyword in ("COPY", "ADD"):
            assert not re.search(r"\.env\b|\.pem\b|id_rsa|credentials", rest), rest


def test_semantic_layer_image_installs_runtime_deps_only_and_runs_the_server():
    steps = instructions(DOCKER / "semantic-layer.Dockerfile")
    package = json.loads((REPO / "package.json").read_text())
    # --omit=dev is only valid because tsx is a production dependency.
    assert "tsx" in package["dependencies"]
    assert any(k == "RUN" and "npm ci --omit=dev" in rest for k, rest in steps)
    entrypoint = json.loads(next(rest for k, rest in steps if k == "ENTRYPOINT"))
    assert entrypoint == ["node", "--import", "tsx", "server/src/main.ts"]
    assert (REPO / entrypoint[-1]).exists()
    exposed = " ".join(rest for k, rest in steps if k == "EXPOSE").split()
    assert exposed == ["4000", "15432"]
    copied = [rest.split()[-2] for k, rest in final_stage(steps) if k == "COPY" and "--from" not in rest]
    for source in copied:
        for item in source.split():
            assert (REPO / item).exists(), item


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    """The final stage's ENV settings (`NAME=value` pairs)."""
    pairs = " ".join(rest for k, rest in final_stage(steps) if k == "ENV").split()
    return dict(pair.split("=", 1) for pair in pairs)


def test_semantic_layer_image_listens_on_every_interface():
    # The server listens on 127.0.0.1 unless told otherwise; a container must accept its published ports.
    env = env_of(instructions(DOCKER / "semantic-layer.Dockerfile"))
    assert env["CUBEJS_HOST"] == "0.0.0.0"
    assert env["CUBEJS_PG_SQL_HOST"] == "0.0.0.0"
    assert env["PORT"] == "4000" and env["CUBEJS_PG_SQL_PORT"] == "15432"


def test_semantic_layer_image_runs_the_supported_node_lts():
    image = resolved_images(instructions(DOCKER / "semantic-layer.Dockerfile"))[-1]
    major = int(re.match(r"node:(\d+)\.\d+\.\d+-", image).group(1))
    engines = json.loads((REPO / "package.json").read_text())["engines"]["node"]
    minimum = int(re.fullmatch(r">=(\d+)", engines).group(1))
    # The image runs the line package.json declares, an LTS (even) one.
    assert major == minimum and major % 2 == 0, (image, engines)


def test_airflow_image_matches_the_tested_versions():
    steps = instructions(DOCKER / "airflow.Dockerfile")
    tested = (REPO / "airflow" / "requirements-test.txt").read_text()
    airflow_version = re.search(r"^apache-airflow==([\d.]+)$", tested, re.M).group(1)
    assert resolved_images(steps) == [f"apache/airflow:{airflow_version}-python3.11"]
    image_pins = (REPO / "airflow" / "requirements-image.txt").read_text()
    for pin in re.findall(r"^(apache-airflow-providers-[\w-]+==[\d.]+)$", image_pins, re.M):
        assert re.search(rf"^{re.escape(pin)}$", tested, re.M), pin
    assert any(k == "COPY" and "airflow/dags" in rest for k, rest in steps)


def compose() -> dict:
    return yaml.safe_load((DOCKER / "docker-compose.yml").read_text())


def test_compose_stack_has_server_postgres_kinesalite_and_prometheus():
    services = compose()["services"]
    assert set(services) == {"server", "postgres", "kinesalite", "prometheus"}
    for name, service in services.items():
        if "image" in service and "build" not in service:
            assert is_pinned(service["image"], set()), name
    env = services["server"]["environment"]
    assert env["KINESIS_ENDPOINT"] == "http://kinesalite:4567"
    # The local lakehouse, built on the first start: a DuckDB path would have to exist already and
    # would turn the build and the streaming off (issue 11).
    assert "CUBEJS_DB_DUCKDB_DATABASE_PATH" not in env
    assert env["LAKEHOUSE_DIR"] in [v.split(":")[1] for v in services["server"]["volumes"]]
    kinesalite = services["kinesalite"]
    data = kinesalite["entrypoint"][kinesalite["entrypoint"].index("--path") + 1]
    assert any(data.startswith(v.split(":")[1] + "/") for v in kinesalite["volumes"]), "kinesalite keeps its streams on a volume"
    # Published ports and Prometheus reach the server from outside its container.
    assert env["CUBEJS_HOST"] == "0.0.0.0" and env["CUBEJS_PG_SQL_HOST"] == "0.0.0.0"
    assert env["LAKEHOUSE_RDS_URL"].startswith("postgres://") and "@postgres:5432/" in env["LAKEHOUSE_RDS_URL"]
    for mount in services["prometheus"]["volumes"]:
        assert (DOCKER / mount.split(":")[0]).exists(), mount


def test_compose_takes_secrets_from_the_environment_only():
    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v, key)
        elif isinstance(value, str) and SECRET_WORDS.search(key):
            yield key, value
    for key, value in walk(compose()):
        assert value.startswith("${") and value.endswith("}"), key


def test_prometheus_scrapes_the_server_metrics_endpoint():
    config = yaml.safe_load((DOCKER / "prometheus" / "prometheus.yml").read_text())
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "semantic-layer")
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["server:4000"]
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_alert_rules_are_complete_and_use_metrics_the_server_exports():
    rules = yaml.safe_load((DOCKER / "prometheus" / "alerts.yml").read_text())
    exported = set(re.findall(r"name: '([a-z_]+)'",
                              (REPO / "server" / "src" / "observability" / "create-metrics.ts").read_text()))
    assert exported, "server metric names not found"
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert rule["alert"] and rule["expr"] and rule["labels"]["severity"] in ("page", "ticket")
            assert rule["annotations"]["summary"]
            if group["name"] == "semantic-layer":
                used = {m.removesuffix("_bucket").removesuffix("_count")
                        for m in re.findall(r"\b([a-z_]+_(?:total|seconds(?:_bucket|_count)?))\b", rule["expr"])}
                assert used <= exported, (rule["alert"], used - exported)


def test_pin_rule_rejects_floating_tags():
    assert not is_pinned("node:20-slim", set())
    assert not is_pinned("postgres:latest", set())
    assert not is_pinned("postgres", set())
    assert is_pinned("node:20.20.2-bookworm-slim", set())
    assert is_pinned("deps", {"deps"})
