"""Resource inventory of a Terraform environment, read with python-hcl2 (no terraform binary).

Walks an environment's module calls recursively and lists every resource and module block by
its full address. `for_each` is expanded where the keys are literal in the code: a map or
toset([...]) of literals held in a local, a `{for k, v in local.x : k => ...}` over one,
`toset([...])` itself, or another resource's instances; keys known only at plan time show as
[*], `count` as [#]. `moved` blocks are collected with their module path, so an old inventory
can be carried to the new addresses and compared:

    python infra/tests/tf_inventory.py infra/envs/dev                 # list one environment
    python infra/tests/tf_inventory.py --diff OLD/infra NEW/infra     # every env, old vs new

With --diff, each old address is renamed by the new tree's moved blocks (chained, whole modules
included) before the comparison; the exit status is 1 when a resource is gone or added (a new
module call that only wraps others is reported but is not a difference in resources).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

_LITERAL_LIST = re.compile(r"^toset\(\[(.*)\]\)$", re.S)
_ADDRESS = re.compile(r"^\$\{(.*)\}$", re.S)
# {for k, v in local.x : k => ...}: the same keys as local.x.
_FOR_SAME_KEYS = re.compile(r"^\{\s*for\s+(\w+)\s*,\s*\w+\s+in\s+(local\.[\w-]+)\s*:\s*\1\s*=>", re.S)


@dataclass
class Inventory:
    addresses: list[str] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)  # (from, to), full addresses


def _load(path: Path) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for file in sorted(path.glob("*.tf")):
        with file.open() as handle:
            for kind, blocks in hcl2.load(handle).items():
                merged.setdefault(kind, []).extend(blocks)
    return merged


def _expr(value: Any) -> str | None:
    if isinstance(value, str):
        match = _ADDRESS.match(value)
        return match.group(1).strip() if match else None
    return None


def _literal_items(text: str) -> list[str] | None:
    match = _LITERAL_LIST.match(text)
    if not match:
        return None
    items = [item.strip().strip('"') for item in match.group(1).split(",") if item.strip()]
    return items if all(re.fullmatch(r"[\w.-]+", item) for item in items) else None


def _keys(value: Any, locals_: dict[str, Any], instances: dict[str, list[str]]) -> list[str] | None:
    """Instance keys of a for_each value when they are literal in the code, else None."""
    if isinstance(value, dict):
        return sorted(value)
    text = _expr(value)
    if text is None:
        return None
    for_keys = _FOR_SAME_KEYS.match(text)
    if for_keys:
        return _keys("${" + for_keys.group(2) + "}", locals_, instances)
    if text.startswith("local."):
        local = locals_.get(text.removeprefix("local."))
        return _keys(local, locals_, instances) if local is not None else None
    if text in instances:
        return instances[text]
    return _literal_items(text)


def inventory(path: Path, prefix: str = "") -> Inventory:
    parsed = _load(path)
    locals_ = {k: v for block in parsed.get("locals", []) for k, v in block.items()}
    result = Inventory()
    instances: dict[str, list[str]] = {}
    resources = [(t, n, body) for block in parsed.get("resource", []) for t, named in block.items()
                 for n, body in named.items()]
    # Resources whose for_each names another resource come after it; two passes suffice here.
    for _ in range(2):
        for rtype, rname, body in resources:
            if "for_each" in body:
                keys = _keys(body["for_each"], locals_, instances)
                if keys is not None:
                    instances[f"{rtype}.{rname}"] = keys
    for rtype, rname, body in resources:
        address = f"{prefix}{rtype}.{rname}"
        if "for_each" in body:
            keys = instances.get(f"{rtype}.{rname}")
            result.addresses += [f'{address}["{k}"]' for k in keys] if keys else [f"{address}[*]"]
        elif "count" in body:
            result.addresses.append(f"{address}[#]")
        else:
            result.addresses.append(address)
    for block in parsed.get("moved", []):
        result.moves.append((prefix + _expr(block["from"]), prefix + _expr(block["to"])))
    for block in parsed.get("module", []):
        for name, body in block.items():
            source = _expr(body["source"]) or body["source"]
            child = inventory((path / source).resolve(), f"{prefix}module.{name}.")
            result.addresses.append(f"{prefix}module.{name} (source {Path(source).name})")
            result.addresses += child.addresses
            result.moves += child.moves
    return result


def strip_source(address: str) -> str:
    return address.split(" (source ")[0]


def apply_moves(addresses: list[str], moves: list[tuple[str, str]]) -> list[str]:
    """Renames old addresses as terraform would with these moved blocks: a move of `a` also
    moves everything below `a.` and `a[...]`; moves chain, so repeat until nothing changes."""
    result = []
    for address in addresses:
        bare, suffix = strip_source(address), address[len(strip_source(address)):]
        for _ in range(len(moves) + 1):
            for old, new in moves:
                if bare == old or bare.startswith(old + ".") or bare.startswith(old + "["):
                    bare = new + bare[len(old):]
                    break
            else:
                break
        result.append(bare + suffix)
    return result


def is_module_call(address: str) -> bool:
    return " (source " in address


def diff(old_infra: Path, new_infra: Path) -> int:
    """Prints, per environment, what the old tree had that the new one lacks and the reverse,
    after the new tree's moved blocks; 1 when a resource differs (module calls are reported
    but may change: wrapping modules in a new one adds a module call, not a resource)."""
    status = 0
    for env in sorted(p for p in (new_infra / "envs").iterdir() if p.is_dir()):
        old_env = old_infra / "envs" / env.name
        new = inventory(env)
        old = inventory(old_env) if old_env.is_dir() else Inventory()
        renamed = apply_moves(old.addresses, new.moves)
        counts = {
            label: (sum(not is_module_call(a) for a in addresses), sum(map(is_module_call, addresses)))
            for label, addresses in (("before", old.addresses), ("after", new.addresses))
        }
        print(f"== {env.name}: before {counts['before'][0]} resources in {counts['before'][1]} module calls; "
              f"after {counts['after'][0]} resources in {counts['after'][1]} module calls; "
              f"{len(new.moves)} moved blocks")
        renamed_count = sum(strip_source(a) != strip_source(b) for a, b in zip(old.addresses, renamed))
        print(f"   old addresses carried to new ones by the moved blocks: {renamed_count}")
        env_status = False
        old_set = {strip_source(a): is_module_call(a) for a in renamed}
        new_set = {strip_source(a): is_module_call(a) for a in new.addresses}
        for address in sorted(set(old_set) - set(new_set)):
            kind = "module call" if old_set[address] else "resource"
            print(f"   - gone {kind}:  {address}")
            env_status |= not old_set[address]
        for address in sorted(set(new_set) - set(old_set)):
            kind = "module call" if new_set[address] else "resource"
            print(f"   + added {kind}: {address}")
            env_status |= not new_set[address]
        status |= env_status
        if not env_status:
            print("   every resource of before is in after at its moved address, and nothing else")
    return int(status)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--diff", nargs=2, metavar=("OLD_INFRA", "NEW_INFRA"))
    parser.add_argument("env", nargs="?", type=Path)
    args = parser.parse_args(argv)
    if args.diff:
        return diff(Path(args.diff[0]), Path(args.diff[1]))
    if args.env is None:
        parser.error("give an environment directory or --diff")
    result = inventory(args.env)
    print("\n".join(result.addresses))
    for old, new in result.moves:
        print(f"moved: {old} -> {new}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
