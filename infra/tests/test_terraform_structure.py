"""Terraform structure tests (python-hcl2): the repository's modules and environments are clean,
and each check is shown to catch the mistake it exists for on a small broken fixture."""
from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import hcl2
import pytest

import tf_checks as checks

INFRA = Path(__file__).resolve().parents[1]
MODULES = sorted(p for p in (INFRA / "modules").iterdir() if p.is_dir())
ENVS = sorted(p for p in (INFRA / "envs").iterdir() if p.is_dir())
EXPECTED_MODULES = {
    "network", "s3-lakehouse", "kinesis", "rds", "eks", "iam", "databricks", "glue-athena",
    "monitoring", "secrets",
}


def env_module_dirs(env: checks.TfDir) -> dict[str, checks.TfDir]:
    return {name: checks.load_dir(checks.module_dir_of(env, name)) for name in env.modules()}


def test_expected_modules_and_envs_exist():
    assert {p.name for p in MODULES} == EXPECTED_MODULES
    assert {p.name for p in ENVS} == {"dev", "prod"}


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_has_standard_files(module):
    assert checks.check_standard_files(module) == []


@pytest.mark.parametrize("tf_dir", MODULES + ENVS, ids=lambda p: p.name)
def test_variables_and_outputs_are_typed_and_documented(tf_dir):
    assert checks.check_variables_documented(checks.load_dir(tf_dir)) == []


@pytest.mark.parametrize("tf_dir", MODULES + ENVS, ids=lambda p: p.name)
def test_every_reference_resolves(tf_dir):
    tf = checks.load_dir(tf_dir)
    module_dirs = env_module_dirs(tf) if tf_dir in ENVS else None
    assert checks.check_references(tf, module_dirs) == []


@pytest.mark.parametrize("tf_dir", MODULES + ENVS, ids=lambda p: p.name)
def test_taggable_resources_carry_tags(tf_dir):
    assert checks.check_tags(checks.load_dir(tf_dir)) == []


@pytest.mark.parametrize("tf_dir", MODULES, ids=lambda p: p.name)
def test_buckets_are_encrypted_versioned_and_private(tf_dir):
    assert checks.check_buckets_hardened(checks.load_dir(tf_dir)) == []


def test_lakehouse_module_creates_the_four_layer_buckets():
    tf = checks.load_dir(INFRA / "modules" / "s3-lakehouse")
    layers = tf.files["main.tf"]["locals"][0]["layers"]
    assert all(layer in layers for layer in ("landing", "bronze", "silver", "gold"))
    types = {rtype for _, rtype, _, _ in tf.resources()}
    assert "aws_s3_bucket_lifecycle_configuration" in types


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_env_wires_every_module_with_valid_inputs(env):
    tf = checks.load_dir(env)
    sources = {checks.module_dir_of(tf, name).name for name in tf.modules()}
    assert sources == EXPECTED_MODULES
    assert checks.check_module_calls(tf, env_module_dirs(tf)) == []


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_env_tags_everything_with_required_keys(env):
    assert checks.check_default_tags(checks.load_dir(env)) == []


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_env_pins_terraform_and_provider_versions(env):
    tf = checks.load_dir(env)
    terraform = tf.files["versions.tf"]["terraform"][0]
    assert terraform["required_version"].startswith("~>")
    providers = terraform["required_providers"][0]
    assert set(providers) == {"aws", "databricks", "tls"}
    for name, spec in providers.items():
        # "~> X.Y.Z" allows patch releases only: a provider upgrade is a reviewed change.
        assert spec["version"].startswith("~>") and spec["version"].count(".") == 2, name


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_module_declares_provider_sources_and_ranges(module):
    terraform = checks.load_dir(module).files["versions.tf"]["terraform"][0]
    assert terraform.get("required_version")
    for name, spec in terraform["required_providers"][0].items():
        assert "/" in spec["source"] and "<" in spec["version"], name


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_tfvars_set_every_environment_variable(env):
    tf = checks.load_dir(env)
    with (env / "terraform.tfvars").open() as handle:
        values = hcl2.load(handle)
    required = {n for n, spec in tf.variables().items() if "default" not in spec}
    assert required - set(values) == set()
    assert set(values) - set(tf.variables()) == set()


def test_environments_differ_only_in_tfvars():
    for name in ("main.tf", "variables.tf", "outputs.tf", "providers.tf", "versions.tf"):
        dev = (INFRA / "envs" / "dev" / name).read_text()
        prod = (INFRA / "envs" / "prod" / name).read_text()
        assert dev == prod, f"envs/dev/{name} and envs/prod/{name} diverged"


def test_firehose_archives_to_time_partitioned_gzip_prefix_with_error_prefix():
    tf = checks.load_dir(INFRA / "modules" / "kinesis")
    assert tf.variables()["events_prefix"]["default"] == "events/!{timestamp:yyyy/MM/dd/HH}/"
    firehose = next(body for _, t, _, body in tf.resources() if t == "aws_kinesis_firehose_delivery_stream")
    s3 = firehose["extended_s3_configuration"][0]
    assert s3["compression_format"] == "GZIP"
    assert "var.error_prefix" in s3["error_output_prefix"]
    assert "var.events_prefix" in s3["prefix"]


def test_rds_password_is_managed_by_secrets_manager_not_terraform():
    tf = checks.load_dir(INFRA / "modules" / "rds")
    db = next(body for _, t, _, body in tf.resources() if t == "aws_db_instance")
    assert db["manage_master_user_password"] is True
    assert "password" not in db
    assert db["storage_encrypted"] is True and db["publicly_accessible"] is False


def test_no_hard_coded_secrets_in_infra():
    assert checks.check_no_secrets(INFRA, ("*.tf", "*.tfvars", "*.hcl", "*.yaml", "*.md")) == []


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not installed")
def test_terraform_fmt_is_clean():
    result = subprocess.run(["terraform", "fmt", "-check", "-recursive", str(INFRA)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the checks catch what they exist for --------------------------------------------------

def write_module(tmp_path: Path, main: str, variables: str = "", outputs: str = "") -> checks.TfDir:
    (tmp_path / "main.tf").write_text(textwrap.dedent(main))
    (tmp_path / "variables.tf").write_text(textwrap.dedent(variables))
    (tmp_path / "outputs.tf").write_text(textwrap.dedent(outputs))
    return checks.load_dir(tmp_path)


def test_checks_flag_an_exposed_untagged_bucket_and_a_dangling_reference(tmp_path):
    tf = write_module(tmp_path, """
        resource "aws_s3_bucket" "raw" {
          bucket = "raw"
        }
        resource "aws_s3_bucket_public_access_block" "raw" {
          bucket                  = aws_s3_bucket.raw.id
          block_public_acls       = true
          block_public_policy     = false
          ignore_public_acls      = true
          restrict_public_buckets = true
        }
        resource "aws_s3_bucket_policy" "raw" {
          bucket = aws_s3_bucket.missing.id
          policy = var.undeclared
        }
    """, variables="""
        variable "tags" {
          type = map(string)
        }
    """)
    hardening = checks.check_buckets_hardened(tf)
    assert any("no aws_s3_bucket_server_side_encryption_configuration" in p for p in hardening)
    assert any("['block_public_policy'] off" in p for p in hardening)
    assert any("aws_s3_bucket.raw: has no tags" in p for p in checks.check_tags(tf))
    refs = checks.check_references(tf)
    assert any("aws_s3_bucket.missing is not declared" in p for p in refs)
    assert any("var.undeclared is not declared" in p for p in refs)
    assert any("variable 'tags' has no description" in p for p in checks.check_variables_documented(tf))


def test_checks_flag_bad_module_wiring(tmp_path):
    module = tmp_path / "modules" / "thing"
    module.mkdir(parents=True)
    write_module(module, "", variables="""
        variable "needed" {
          type        = string
          description = "required"
        }
    """, outputs="""
        output "id" {
          description = "id"
          value       = "x"
        }
    """)
    env = tmp_path / "env"
    env.mkdir()
    (env / "main.tf").write_text(textwrap.dedent("""
        module "thing" {
          source = "../modules/thing"
          typo   = "x"
        }
        output "wrong" {
          description = "d"
          value       = module.thing.arn
        }
    """))
    tf = checks.load_dir(env)
    dirs = {"thing": checks.load_dir(module)}
    calls = checks.check_module_calls(tf, dirs)
    assert any("unknown input 'typo'" in p for p in calls)
    assert any("misses required input 'needed'" in p for p in calls)
    assert any("module.thing.arn: module has no such output" in p for p in checks.check_references(tf, dirs))


def test_secret_scan_flags_literal_credentials(tmp_path):
    (tmp_path / "bad.tfvars").write_text('db_password = "hunter2hunter2"\nkey = "AKIAABCDEFGHIJKLMNOP"\n')
    problems = checks.check_no_secrets(tmp_path, ("*.tfvars",))
    assert len(problems) == 2 and problems[0].startswith("bad.tfvars:1")
