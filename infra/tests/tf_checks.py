"""Structural checks of the Terraform tree, run where `terraform validate` cannot run.

Terraform's providers cannot be downloaded here, so `terraform init/validate` is impossible.
These checks parse every .tf file with python-hcl2 and enforce what review would otherwise
catch: documented variables, resolvable references, module wiring, tags, bucket hardening and
no secrets in the code. Each check returns a list of human-readable problems (empty = clean),
naming the file and the block, so a failing test says exactly what to fix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import hcl2

from tf_inventory import inventory, strip_source

STANDARD_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")

# AWS/Databricks resource types this repository uses, split by whether the provider accepts
# `tags`. A new type must be added to one of the sets, which forces a decision about tagging.
TAGGABLE = {
    "aws_s3_bucket", "aws_vpc", "aws_internet_gateway", "aws_subnet", "aws_eip",
    "aws_nat_gateway", "aws_route_table", "aws_vpc_endpoint", "aws_kinesis_stream",
    "aws_cloudwatch_log_group", "aws_kinesis_firehose_delivery_stream", "aws_db_subnet_group",
    "aws_security_group", "aws_vpc_security_group_ingress_rule", "aws_db_parameter_group",
    "aws_db_instance", "aws_iam_role", "aws_kms_key", "aws_eks_cluster", "aws_eks_access_entry",
    "aws_iam_openid_connect_provider", "aws_eks_node_group", "aws_eks_addon",
    "aws_iam_instance_profile", "aws_secretsmanager_secret", "aws_glue_catalog_database",
    "aws_athena_workgroup", "aws_sns_topic", "aws_cloudwatch_metric_alarm", "databricks_job",
    "databricks_sql_endpoint", "aws_glue_crawler", "aws_redshiftserverless_namespace",
    "aws_redshiftserverless_workgroup",
}
UNTAGGABLE = {
    "aws_s3_bucket_ownership_controls", "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
    "aws_s3_bucket_policy", "aws_s3_bucket_lifecycle_configuration",
    "aws_route_table_association", "aws_cloudwatch_log_stream", "aws_iam_role_policy",
    "aws_iam_role_policy_attachment", "aws_eks_access_policy_association", "aws_kms_alias",
    "aws_glue_catalog_table", "aws_sns_topic_subscription", "databricks_instance_profile",
    "databricks_cluster_policy", "databricks_permissions", "aws_redshiftdata_statement",
}
REQUIRED_TAG_KEYS = ("Project", "Environment", "Owner", "CostCenter")

_REF_PATTERNS = {
    "var": re.compile(r"\bvar\.([A-Za-z_][\w-]*)"),
    "local": re.compile(r"\blocal\.([A-Za-z_][\w-]*)"),
    "module": re.compile(r"\bmodule\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?"),
    "data": re.compile(r"\bdata\.([a-z][\w]*)\.([A-Za-z_][\w-]*)"),
    "resource": re.compile(r"(?<![\w.\"])((?:aws|databricks|tls)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)"),
}

_SECRET_PATTERNS = [
    (re.compile(r"AKIA[0-9A-Z]{16}"), "AWS access key id"),
    (re.compile(r"dapi[0-9a-f]{32}"), "Databricks personal access token"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "private key"),
    (re.compile(r"(?i)\b[\w-]*(password|passwd|secret|token|api_key)[\w-]*\s*[=:]\s*\"(?!\$\{)[^\"\s]{6,}\""),
     "literal credential assigned"),
]


@dataclass
class TfDir:
    """All blocks of the .tf files of one directory (a module or an environment)."""

    path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def blocks(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(file name, block dict) for every top-level block of `kind` (resource, variable ...)."""
        for name, parsed in self.files.items():
            for block in parsed.get(kind, []):
                yield name, block

    def resources(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        for file, block in self.blocks("resource"):
            for rtype, named in block.items():
                for rname, body in named.items():
                    yield file, rtype, rname, body

    def data_sources(self) -> set[tuple[str, str]]:
        return {(t, n) for _, block in self.blocks("data") for t, named in block.items() for n in named}

    def variables(self) -> dict[str, dict[str, Any]]:
        return {n: b for _, block in self.blocks("variable") for n, b in block.items()}

    def outputs(self) -> dict[str, dict[str, Any]]:
        return {n: b for _, block in self.blocks("output") for n, b in block.items()}

    def locals(self) -> set[str]:
        return {n for _, block in self.blocks("locals") for n in block}

    def modules(self) -> dict[str, dict[str, Any]]:
        return {n: b for _, block in self.blocks("module") for n, b in block.items()}


def load_dir(path: Path) -> TfDir:
    tf = TfDir(path)
    for file in sorted(path.glob("*.tf")):
        with file.open() as handle:
            tf.files[file.name] = hcl2.load(handle)
    return tf


def strings_in(value: Any) -> Iterator[str]:
    """Every string value nested in a parsed HCL value. Keys are left out: they are names
    (attribute names, or literal keys such as a cluster policy's "aws_attributes.availability"),
    never references."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def unwrap(value: Any) -> Any:
    """python-hcl2 writes expressions as "${...}" strings; literal strings stay as they are."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value


def check_standard_files(path: Path) -> list[str]:
    return [f"{path.name}: missing {name}" for name in STANDARD_FILES if not (path / name).exists()]


def check_variables_documented(tf: TfDir) -> list[str]:
    problems = []
    for file, block in tf.blocks("variable"):
        for name, body in block.items():
            for key in ("type", "description"):
                if not body.get(key):
                    problems.append(f"{tf.path.name}/{file}: variable '{name}' has no {key}")
    for file, block in tf.blocks("output"):
        for name, body in block.items():
            if not body.get("description"):
                problems.append(f"{tf.path.name}/{file}: output '{name}' has no description")
    return problems


def check_references(tf: TfDir, module_dirs: dict[str, TfDir] | None = None) -> list[str]:
    """Every var./local./module./data./resource reference names something declared here;
    module.X.Y names an output Y of module X when the module's source is known."""
    declared_resources = {(t, n) for _, t, n, _ in tf.resources()}
    declared = {
        "var": set(tf.variables()),
        "local": tf.locals(),
        "module": set(tf.modules()),
    }
    problems = []
    for file, parsed in tf.files.items():
        # A moved block's `from` names an address that no longer exists: check_moved covers it.
        for text in strings_in({kind: blocks for kind, blocks in parsed.items() if kind != "moved"}):
            for kind, pattern in _REF_PATTERNS.items():
                for match in pattern.finditer(text):
                    problem = _resolve(kind, match, declared, declared_resources, tf, module_dirs)
                    if problem:
                        problems.append(f"{tf.path.name}/{file}: {problem}")
    return sorted(set(problems))


def _resolve(kind, match, declared, declared_resources, tf, module_dirs) -> str | None:
    if kind in ("var", "local"):
        name = match.group(1)
        return None if name in declared[kind] else f"{kind}.{name} is not declared"
    if kind == "module":
        name, output = match.group(1), match.group(2)
        if name not in declared["module"]:
            return f"module.{name} is not declared"
        target = (module_dirs or {}).get(name)
        if output and target is not None and output not in target.outputs():
            return f"module.{name}.{output}: module has no such output"
        return None
    if kind == "data":
        pair = (match.group(1), match.group(2))
        return None if pair in tf.data_sources() else f"data.{pair[0]}.{pair[1]} is not declared"
    pair = (match.group(1), match.group(2))
    return None if pair in declared_resources else f"{pair[0]}.{pair[1]} is not declared"


def check_moved(tf: TfDir) -> list[str]:
    """Each moved block's `to` is a resource (instance) or module call declared in this directory
    or in the modules it calls, and its `from` is no longer declared (terraform refuses to move
    from an address that still exists, and a `to` that exists nowhere destroys what it moved)."""
    current = {strip_source(a) for a in inventory(tf.path).addresses}
    problems = []
    for file, block in tf.blocks("moved"):
        source, target = unwrap(block["from"]), unwrap(block["to"])
        where = f"{tf.path.name}/{file}: moved {source} -> {target}"
        if target not in current and re.sub(r"\[[^\]]*\]$", "[*]", target) not in current:
            problems.append(f"{where}: target is not declared")
        if source in current or any(a.startswith(source + "[") for a in current):
            problems.append(f"{where}: source is still declared")
    return problems


def check_module_calls(env: TfDir, module_dirs: dict[str, TfDir]) -> list[str]:
    """Inputs passed to a module exist as its variables; its required variables are all passed."""
    problems = []
    meta = {"source", "version", "providers", "depends_on", "count", "for_each"}
    for name, body in env.modules().items():
        target = module_dirs.get(name)
        if target is None:
            problems.append(f"{env.path.name}: module '{name}' source {body.get('source')} not found")
            continue
        variables = target.variables()
        for arg in set(body) - meta:
            if arg not in variables:
                problems.append(f"{env.path.name}: module '{name}' gets unknown input '{arg}'")
        for var, spec in variables.items():
            if "default" not in spec and var not in body:
                problems.append(f"{env.path.name}: module '{name}' misses required input '{var}'")
    return problems


def check_tags(tf: TfDir) -> list[str]:
    problems = []
    for file, rtype, rname, body in tf.resources():
        where = f"{tf.path.name}/{file}: {rtype}.{rname}"
        if rtype not in TAGGABLE and rtype not in UNTAGGABLE:
            problems.append(f"{where}: type not classified as taggable or not (tf_checks.py)")
        elif rtype in TAGGABLE:
            tags = body.get("tags")
            if tags is None:
                problems.append(f"{where}: has no tags")
            elif "var.tags" not in " ".join(strings_in(tags)):
                problems.append(f"{where}: tags do not include var.tags")
    return problems


def check_default_tags(env: TfDir) -> list[str]:
    """The AWS provider of an environment tags everything with the required keys."""
    providers = [b for _, block in env.blocks("provider") for n, b in block.items() if n == "aws"]
    if not providers:
        return [f"{env.path.name}: no aws provider block"]
    default_tags = providers[0].get("default_tags")
    if not default_tags:
        return [f"{env.path.name}: aws provider has no default_tags"]
    expression = unwrap(default_tags[0].get("tags", ""))
    match = re.fullmatch(r"local\.([\w-]+)", str(expression))
    tags = {}
    if match:
        for _, block in env.blocks("locals"):
            tags.update(block.get(match.group(1), {}) or {})
    missing = [key for key in REQUIRED_TAG_KEYS if key not in tags]
    return [f"{env.path.name}: default_tags lack {', '.join(missing)}"] if missing else []


def check_buckets_hardened(tf: TfDir) -> list[str]:
    """Each aws_s3_bucket has SSE, a public access block with all four flags on, and versioning."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for _, rtype, _, body in tf.resources():
        by_type.setdefault(rtype, []).append(body)
    problems = []
    for _, rtype, rname, _ in tf.resources():
        if rtype != "aws_s3_bucket":
            continue
        ref = f"aws_s3_bucket.{rname}"
        for companion in ("aws_s3_bucket_server_side_encryption_configuration",
                          "aws_s3_bucket_public_access_block", "aws_s3_bucket_versioning"):
            bodies = [b for b in by_type.get(companion, []) if ref in " ".join(strings_in(b))]
            if not bodies:
                problems.append(f"{tf.path.name}: {ref} has no {companion}")
            if companion.endswith("public_access_block"):
                for body in bodies:
                    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls",
                             "restrict_public_buckets")
                    off = [f for f in flags if body.get(f) is not True]
                    if off:
                        problems.append(f"{tf.path.name}: {ref} public access block leaves {off} off")
    return problems


def check_no_secrets(root: Path, patterns: tuple[str, ...]) -> list[str]:
    problems = []
    for pattern in patterns:
        for file in sorted(root.rglob(pattern)):
            if ".terraform" in file.parts:
                continue
            for number, line in enumerate(file.read_text().splitlines(), start=1):
                for regex, what in _SECRET_PATTERNS:
                    if regex.search(line):
                        problems.append(f"{file.relative_to(root)}:{number}: {what}")
    return problems


def module_dir_of(env: TfDir, name: str) -> Path:
    source = unwrap(env.modules()[name]["source"])
    return (env.path / source).resolve()
