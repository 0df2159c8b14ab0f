"""Shared helper for the Databricks notebooks and the parity test: lists the SQL files of a layer in
run order and splits each into statements with the same rules as the TypeScript runner
(server/src/lakehouse/transform/split-sql-file.ts): a statement ends at a `;` outside quotes and
comments; statements made only of comments are dropped."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class SqlStatement:
    """One statement of a SQL file, with the 1-based line where its text starts (for error messages)."""

    file: str
    index: int
    line: int
    sql: str


def list_sql_files(sql_dir: str, layer: str) -> list[str]:
    """The layer's `NN_<table>.sql` files in lexical (= run) order."""
    folder = os.path.join(sql_dir, layer)
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".sql")]


def split_sql(text: str, file: str = "<sql>") -> list[SqlStatement]:
    """Splits SQL text into statements; see the module doc for the rules."""
    statements: list[SqlStatement] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in ("'", '"'):
            i = _skip_quoted(text, i, ch)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == ";":
            _append(statements, text, start, i, file)
            start = i + 1
            i += 1
        else:
            i += 1
    _append(statements, text, start, n, file)
    return statements


def _skip_quoted(text: str, i: int, quote: str) -> int:
    # A doubled quote inside a quoted string is an escaped quote, not the end.
    j = i + 1
    while j < len(text):
        if text[j] == quote:
            if j + 1 < len(text) and text[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return j


def _append(statements: list[SqlStatement], text: str, start: int, end: int, file: str) -> None:
    chunk = text[start:end]
    body_offset = _first_code_offset(chunk)
    if body_offset is None:
        return
    line = text.count("\n", 0, start + body_offset) + 1
    statements.append(SqlStatement(file, len(statements) + 1, line, chunk.strip()))


def _first_code_offset(chunk: str) -> int | None:
    """Offset of the first character that is neither whitespace nor comment, None if there is none."""
    i, n = 0, len(chunk)
    while i < n:
        if chunk[i].isspace():
            i += 1
        elif chunk.startswith("--", i):
            end = chunk.find("\n", i)
            i = n if end < 0 else end
        elif chunk.startswith("/*", i):
            end = chunk.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            return i
    return None


def read_statements(path: str) -> list[SqlStatement]:
    """Reads one SQL file (UTF-8) and splits it."""
    with open(path, encoding="utf-8") as handle:
        return split_sql(handle.read(), os.path.basename(path))


def run_layer(execute, sql_dir: str, layer: str, log=print) -> list[tuple[str, float]]:
    """Runs every statement of a layer's files in order through `execute(sql)` (e.g. spark.sql);
    a failure names the file, statement and line. Returns (file, seconds) per file."""
    import time

    timings = []
    for path in list_sql_files(sql_dir, layer):
        started = time.perf_counter()
        for statement in read_statements(path):
            try:
                execute(statement.sql)
            except Exception as error:
                raise RuntimeError(
                    f"{layer}/{statement.file}: statement {statement.index} (line {statement.line}) failed: {error}"
                ) from error
        elapsed = time.perf_counter() - started
        timings.append((f"{layer}/{os.path.basename(path)}", elapsed))
        log(f"{layer}/{os.path.basename(path)}: {elapsed:.1f}s")
    return timings
