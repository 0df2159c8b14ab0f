# syntax=docker/dockerfile:1.7
# Airflow image for the EKS deployment (airflow/k8s/values.yaml): the official image plus the
# pinned providers the DAGs use, and the DAGs themselves (git-sync replaces them at run time;
# the baked copy lets a pod start even when Git is unreachable).
# Build from the repository root:  docker build -f docker/airflow.Dockerfile -t lakehouse-airflow .

ARG AIRFLOW_IMAGE=apache/airflow:2.10.5-python3.11
FROM ${AIRFLOW_IMAGE}

ARG AIRFLOW_VERSION=2.10.5
USER airflow
COPY --chown=airflow:root airflow/requirements-image.txt /tmp/requirements-image.txt
# Pinning apache-airflow alongside the providers stops pip from upgrading Airflow itself.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /tmp/requirements-image.txt

COPY --chown=airflow:root airflow/dags /opt/airflow/dags

# Kubernetes uses the chart's probes; this check serves docker compose / plain docker runs of
# the scheduler (the image's default role there).
HEALTHCHECK --interval=60s --timeout=30s --start-period=120s --retries=3 \
  CMD ["airflow", "jobs", "check", "--job-type", "SchedulerJob", "--local"]
