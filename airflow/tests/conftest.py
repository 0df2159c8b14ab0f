"""Test environment for the DAGs: a throw-away AIRFLOW_HOME and the repository's dags folder,
set before anything imports airflow (its settings are read at import time)."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

DAGS_FOLDER = Path(__file__).resolve().parents[1] / "dags"

os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="airflow-home-")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_FOLDER)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ.setdefault("LAKEHOUSE_NAME_PREFIX", "lakehouse-test")
sys.path.insert(0, str(DAGS_FOLDER))
