"""DAG files are parsed every 30 s by the scheduler: no module-level statement may reach the
network, the metadata database or the secrets backend (Variable.get, hooks, boto3, requests)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import DAGS_FOLDER

FORBIDDEN_CALLS = {"Variable.get", "Connection.get_connection_from_secrets", "BaseHook.get_connection"}
FORBIDDEN_IMPORTS = {"boto3", "requests", "jwt", "pandas", "databricks"}
PARSED_FILES = sorted(DAGS_FOLDER.glob("*.py")) + sorted((DAGS_FOLDER / "lakehouse_common").glob("*.py"))


def module_level_nodes(tree: ast.Module):
    """Nodes executed at import: everything except the bodies of functions (and lambdas)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            # Decorators and defaults do run at import time.
            stack.extend(getattr(node, "decorator_list", []))
            stack.extend(node.args.defaults)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def call_name(node: ast.Call) -> str:
    func = node.func
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


@pytest.mark.parametrize("path", PARSED_FILES, ids=lambda p: p.name)
def test_no_network_or_secret_access_at_import_time(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    problems = []
    for node in module_level_nodes(tree):
        if isinstance(node, ast.Call):
            name = call_name(node)
            if name in FORBIDDEN_CALLS or name.endswith("Hook") or name.endswith("Hook.get_conn"):
                problems.append(f"line {node.lineno}: {name}()")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] in FORBIDDEN_IMPORTS:
                    problems.append(f"line {node.lineno}: import {module}")
    assert problems == []


def test_the_detector_finds_a_top_level_variable_get(tmp_path):
    tree = ast.parse("from airflow.models import Variable\nimport boto3\nX = Variable.get('k')\n"
                     "def f():\n    return Variable.get('ok')\n")
    found = [call_name(n) for n in module_level_nodes(tree) if isinstance(n, ast.Call)]
    imports = [n for n in module_level_nodes(tree) if isinstance(n, ast.Import)]
    assert found == ["Variable.get"] and imports[0].names[0].name == "boto3"
