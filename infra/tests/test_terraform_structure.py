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
import tf_inventory

INFRA = Path(__file__).resolve().parents[1]
MODULES = sorted(p for p in (INFRA / "modules").iterdir() if p.is_dir())
ENVS = sorted(p for p in (INFRA / "envs").iterdir() if p.is_dir())
PLATFORM = INFRA / "modules" / "platform"
# The component modules, all wired together by modules/platform, the only module envs call.
EXPECTED_MODULES = {
    "network", "s3-lakehouse", "kinesis", "rds", "eks", "iam", "databricks", "glue-athena",
    "monitoring", "secrets", "redshift-spectrum",
}


def called_module_dirs(tf: checks.TfDir) -> dict[str, checks.TfDir]:
    return {name: checks.load_dir(checks.module_dir_of(tf, name)) for name in tf.modules()}


def platform_call(env: Path) -> dict:
    return checks.load_dir(env).modules()["platform"]


def test_expected_modules_and_envs_exist():
    assert {p.name for p in MODULES} == EXPECTED_MODULES | {"platform"}
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
    assert checks.check_references(tf, called_module_dirs(tf)) == []


@pytest.mark.parametrize("tf_dir", MODULES + ENVS, ids=lambda p: p.name)
def test_moved_blocks_lead_from_gone_addresses_to_declared_ones(tf_dir):
    assert checks.check_moved(checks.load_dir(tf_dir)) == []


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


def test_platform_wires_every_module_with_valid_inputs_and_tags():
    tf = checks.load_dir(PLATFORM)
    sources = {checks.module_dir_of(tf, name).name for name in tf.modules()}
    assert sources == EXPECTED_MODULES
    assert checks.check_module_calls(tf, called_module_dirs(tf)) == []
    untagged = [name for name, body in tf.modules().items() if body.get("tags") != "${var.tags}"]
    assert untagged == []


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_env_calls_only_the_platform_module_with_valid_inputs(env):
    tf = checks.load_dir(env)
    assert {name: checks.module_dir_of(tf, name) for name in tf.modules()} == {"platform": PLATFORM}
    assert checks.check_module_calls(tf, called_module_dirs(tf)) == []
    # The environment's values are literal in its module call: nothing to prompt for or forget.
    assert tf.variables() == {}
    assert not (env / "terraform.tfvars").exists()
    assert platform_call(env)["tags"] == "${local.tags}"


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
def test_env_keeps_remote_state_with_locking_under_its_own_key(env):
    terraform = checks.load_dir(env).files["versions.tf"]["terraform"][0]
    assert [list(b) for b in terraform["backend"]] == [["s3"]]
    with (env / "backend.hcl").open() as handle:
        backend = hcl2.load(handle)
    assert backend["key"] == f"lakehouse/{env.name}/terraform.tfstate"
    assert backend["bucket"] and backend["region"]
    assert backend["dynamodb_table"], "state locking needs the DynamoDB lock table"
    assert backend["encrypt"] is True


def test_prod_is_protected_from_deletion_and_zone_loss():
    prod = platform_call(INFRA / "envs" / "prod")
    assert prod["rds_deletion_protection"] is True
    assert prod["rds_multi_az"] is True
    assert prod["single_nat_gateway"] is False
    assert prod["force_destroy_buckets"] is False
    assert prod["secrets_recovery_window_days"] >= 7
    # Each environment has to choose these: none may fall back to a module default.
    variables = checks.load_dir(PLATFORM).variables()
    for name in ("rds_deletion_protection", "rds_multi_az", "force_destroy_buckets",
                 "secrets_recovery_window_days", "single_nat_gateway"):
        assert "default" not in variables[name], name
    rds = checks.load_dir(PLATFORM).modules()["rds"]
    assert rds["deletion_protection"] == "${var.rds_deletion_protection}"


def test_environments_differ_only_in_values():
    dev, prod = (checks.load_dir(INFRA / "envs" / name) for name in ("dev", "prod"))
    # Same pins, same root outputs, same state moves: only main.tf, providers.tf and
    # backend.hcl may differ, and those only in values.
    for name in ("versions.tf", "outputs.tf", "moved.tf"):
        assert dev.files[name] == prod.files[name], f"envs/dev/{name} and envs/prod/{name} diverged"
    assert set(dev.files) == set(prod.files)
    assert set(dev.modules()["platform"]) == set(prod.modules()["platform"])
    assert set(dev.locals()) == set(prod.locals())
    providers = [{n: set(b) for _, block in tf.blocks("provider") for n, b in block.items()}
                 for tf in (dev, prod)]
    assert providers[0] == providers[1]


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_env_reexports_every_platform_output(env):
    outputs = checks.load_dir(env).outputs()
    assert set(outputs) == set(checks.load_dir(PLATFORM).outputs())
    for name, body in outputs.items():
        assert body["value"] == f"${{module.platform.{name}}}", name


def test_environments_have_the_same_resources():
    dev, prod = (tf_inventory.inventory(INFRA / "envs" / name).addresses for name in ("dev", "prod"))
    assert dev == prod
    assert len(dev) > 100
    alarms = [a for a in dev if ".aws_cloudwatch_metric_alarm." in a]
    assert len(alarms) == 6
    assert all(a.startswith("module.platform.module.monitoring.") for a in alarms)


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


def test_checks_flag_moved_blocks_to_nowhere_or_from_a_live_address(tmp_path):
    tf = write_module(tmp_path, """
        resource "aws_sns_topic" "alerts" {
          for_each = { a = 1 }
          name     = each.key
        }
        moved {
          from = aws_sns_topic.old
          to   = aws_sns_topic.alert
        }
        moved {
          from = aws_sns_topic.alerts
          to   = aws_sns_topic.alerts["a"]
        }
        moved {
          from = aws_sns_topic.legacy
          to   = aws_sns_topic.alerts["b"]
        }
    """)
    problems = checks.check_moved(tf)
    assert len(problems) == 3
    assert "moved aws_sns_topic.old -> aws_sns_topic.alert: target is not declared" in problems[0]
    assert problems[1].endswith("source is still declared")
    assert 'aws_sns_topic.alerts["b"]: target is not declared' in problems[2]
    assert checks.check_references(tf) == []


def test_inventory_diff_follows_moves_and_reports_a_lost_resource(tmp_path, capsys):
    def tree(root: Path, env_main: str, module_main: str) -> Path:
        (root / "envs" / "dev").mkdir(parents=True)
        (root / "modules" / "m").mkdir(parents=True)
        (root / "envs" / "dev" / "main.tf").write_text(textwrap.dedent(env_main))
        (root / "modules" / "m" / "main.tf").write_text(textwrap.dedent(module_main))
        return root

    old = tree(tmp_path / "old", """
        module "m" {
          source = "../../modules/m"
        }
    """, """
        resource "aws_sns_topic" "a" {}
        resource "aws_sns_topic" "b" {}
    """)
    new = tree(tmp_path / "new", """
        module "m" {
          source = "../../modules/m"
        }
        moved {
          from = module.m.aws_sns_topic.a
          to   = module.m.aws_sns_topic.topic["a"]
        }
    """, """
        resource "aws_sns_topic" "topic" {
          for_each = toset(["a"])
        }
    """)
    assert tf_inventory.diff(old, new) == 1
    out = capsys.readouterr().out
    assert "- gone resource:  module.m.aws_sns_topic.b" in out
    assert "module.m.aws_sns_topic.a" not in out


def test_secret_scan_flags_literal_credentials(tmp_path):
    (tmp_path / "bad.tfvars").write_text('db_password = "hunter2hunter2"\nkey = "AKIAABCDEFGHIJKLMNOP"\n')
    problems = checks.check_no_secrets(tmp_path, ("*.tfvars",))
    assert len(problems) == 2 and problems[0].startswith("bad.tfvars:1")
