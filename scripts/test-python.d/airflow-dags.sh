#!/usr/bin/env bash
# Airflow DAG integrity + deployment structure tests: the DAGs under airflow/dags import and follow
# the team's rules on pinned apache-airflow 2.10.5 with the amazon/databricks/http providers;
# the Terraform tree (python-hcl2), the Helm values, the Kubernetes manifests and the Docker files
# are checked structurally, since neither Terraform providers nor a Docker engine can run here.
# The virtualenv is created on first run from a fully pinned file (Airflow's constraints approach).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib-venv.sh
# requirements-test.txt is the complete resolved set, so pip installs it as is: without this,
# the pip bundled with Python 3.11 backtracks through connexion/Flask extras for many minutes.
export PIP_NO_DEPS=1 PIP_PREFER_BINARY=1
ensure_venv .venv-airflow airflow/requirements-test.txt
[ "${1:-}" = --prepare-only ] && exit 0
# Exit code 5 (no tests collected) is a failure here: these suites must exist and run.
.venv-airflow/bin/python -m pytest -q -p no:cacheprovider airflow/tests infra/tests docker/tests "$@"
