"""The gate's SQL runs for real on DuckDB over a small hand-built gold schema: clean data passes
every check, and each kind of defect fails exactly the check meant to catch it."""
from __future__ import annotations

import duckdb
import pytest

from lakehouse_common.quality_checks import gold_checks

DIMENSIONS = {
    "dim_tempo": ("data_sk INT", [(0,), (20250101,), (20250102,)]),
    "dim_produto": ("produto_sk BIGINT", [(0,), (11,), (12,)]),
    "dim_loja": ("loja_sk BIGINT", [(0,), (21,)]),
    "dim_canal": ("canal_sk BIGINT", [(0,), (31,), (32,)]),
    "dim_campanha": ("campanha_sk BIGINT", [(0,), (41,)]),
}
FACT_COLUMNS = ("venda_id STRING, pedido_id STRING, origem STRING, data_sk INT, cliente_sk BIGINT,"
                " produto_sk BIGINT, loja_sk BIGINT, canal_sk BIGINT, campanha_sk BIGINT,"
                " quantidade INT, valor_bruto DECIMAL(18,2), desconto_total DECIMAL(18,2),"
                " valor_liquido DECIMAL(18,2), tipo_cliente STRING")
FACT_NAMES = ["venda_id", "pedido_id", "origem", "data_sk", "cliente_sk", "produto_sk", "loja_sk",
              "canal_sk", "campanha_sk", "quantidade", "valor_bruto", "desconto_total", "valor_liquido",
              "tipo_cliente"]
CLEAN_FACT = [
    ("erp:o1:1", "o1", "erp", 20250101, 51, 11, 21, 31, 41, 2, 100.00, 10.00, 90.00, "novo"),
    ("erp:o1:2", "o1", "erp", 20250101, 51, 12, 21, 31, 41, 1, 50.00, 0.00, 50.00, "novo"),
    ("pos:r9:1", "r9", "pos", 20250102, 0, 11, 21, 32, 0, 3, 30.00, 3.00, 27.00, "nao_identificado"),
]


def build_gold(fact_rows=CLEAN_FACT, clientes=None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA gold")
    for table, (column, rows) in DIMENSIONS.items():
        con.execute(f"CREATE TABLE gold.{table} ({column})")
        con.executemany(f"INSERT INTO gold.{table} VALUES (?)", rows)
    con.execute("CREATE TABLE gold.dim_cliente (cliente_sk BIGINT, cliente_id STRING, is_atual BOOLEAN)")
    con.executemany("INSERT INTO gold.dim_cliente VALUES (?, ?, ?)",
                    clientes or [(0, "0", True), (50, "c1", False), (51, "c1", True)])
    con.execute(f"CREATE TABLE gold.fato_vendas ({FACT_COLUMNS})")
    if fact_rows:
        con.executemany(f"INSERT INTO gold.fato_vendas VALUES ({', '.join('?' * 14)})", fact_rows)
    return con


def failing_checks(con) -> set[str]:
    failed = set()
    for check in gold_checks("gold"):
        row = con.execute(check.sql).fetchone()
        if not all(row):
            failed.add(check.name)
    return failed


def test_clean_gold_passes_every_check():
    assert failing_checks(build_gold()) == set()


def replace_row(index: int, **changes) -> list[tuple]:
    names = FACT_NAMES
    rows = [list(r) for r in CLEAN_FACT]
    for key, value in changes.items():
        rows[index][names.index(key)] = value
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("rows, clientes, expected", [
    (replace_row(1, produto_sk=99), None, {"fato_vendas_dim_produto_integrity"}),
    (replace_row(2, data_sk=20991231), None, {"fato_vendas_dim_tempo_integrity"}),
    (replace_row(1, venda_id="erp:o1:1"), None, {"fato_vendas_unique_venda_id"}),
    (replace_row(0, canal_sk=None), None, {"fato_vendas_keys_not_null", "fato_vendas_dim_canal_integrity"}),
    (replace_row(0, origem="web"), None, {"fato_vendas_accepted_values"}),
    (replace_row(0, valor_liquido=95.00), None, {"fato_vendas_amounts_consistent"}),
    (replace_row(0, quantidade=-1), None, {"fato_vendas_amounts_consistent"}),
    (CLEAN_FACT, [(0, "0", True), (50, "c1", True), (51, "c1", True)], {"dim_cliente_one_current_version"}),
    (CLEAN_FACT, [(0, "0", True), (51, "c1", True), (51, "c2", True)], {"dim_cliente_unique_key"}),
    ([], None, {"fato_vendas_not_empty"}),
])
def test_each_defect_fails_its_check(rows, clientes, expected):
    assert failing_checks(build_gold(rows, clientes)) == expected


def test_checks_are_named_uniquely_and_target_the_given_schema():
    checks = gold_checks("lakehouse.gold")
    assert len({c.name for c in checks}) == len(checks)
    assert all("lakehouse.gold." in c.sql for c in checks)
