"""Data-quality checks of the gold star schema, as SQL returning one row of booleans.

The SQL is in the subset both Spark SQL (Databricks, where the gate runs) and DuckDB (where
airflow/tests runs it on real tables) accept, like notebooks/sql. SQLCheckOperator fails the
task when any value of the first row is false, so each check is `SELECT <condition>`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QualityCheck:
    """One named check: `sql` returns a single row whose every column must be true."""

    name: str
    description: str
    sql: str


# (fact foreign key, dimension table, dimension key) — every fact row must find its dimension
# member; unknown members use the *_sk = 0 row, never a dangling key.
_FACT_DIMENSIONS = (
    ("data_sk", "dim_tempo", "data_sk"),
    ("cliente_sk", "dim_cliente", "cliente_sk"),
    ("produto_sk", "dim_produto", "produto_sk"),
    ("loja_sk", "dim_loja", "loja_sk"),
    ("canal_sk", "dim_canal", "canal_sk"),
    ("campanha_sk", "dim_campanha", "campanha_sk"),
)

_DIMENSION_KEYS = (
    ("dim_tempo", "data_sk"),
    ("dim_cliente", "cliente_sk"),
    ("dim_produto", "produto_sk"),
    ("dim_loja", "loja_sk"),
    ("dim_canal", "canal_sk"),
    ("dim_campanha", "campanha_sk"),
)


def gold_checks(schema: str = "gold") -> list[QualityCheck]:
    """Every check of the gate, for gold tables in `schema` (e.g. "gold" or "lakehouse.gold")."""
    fact = f"{schema}.fato_vendas"
    checks = [
        QualityCheck(
            "fato_vendas_not_empty", "the fact table has rows",
            f"SELECT COUNT(*) > 0 FROM {fact}",
        ),
        QualityCheck(
            "fato_vendas_keys_not_null", "no fact row lacks its id or a dimension key",
            f"SELECT COUNT(*) = 0 FROM {fact} WHERE venda_id IS NULL OR pedido_id IS NULL"
            " OR data_sk IS NULL OR cliente_sk IS NULL OR produto_sk IS NULL OR loja_sk IS NULL"
            " OR canal_sk IS NULL OR campanha_sk IS NULL",
        ),
        QualityCheck(
            "fato_vendas_unique_venda_id", "one row per sale line",
            f"SELECT COUNT(*) = COUNT(DISTINCT venda_id) FROM {fact}",
        ),
        QualityCheck(
            "fato_vendas_accepted_values", "origem and tipo_cliente take only their documented values",
            f"SELECT COUNT(*) = 0 FROM {fact} WHERE origem NOT IN ('erp', 'pos')"
            " OR tipo_cliente NOT IN ('novo', 'recorrente', 'nao_identificado')",
        ),
        QualityCheck(
            "fato_vendas_amounts_consistent", "net = gross - discounts and quantities are positive",
            f"SELECT COUNT(*) = 0 FROM {fact} WHERE quantidade <= 0"
            " OR ABS(valor_bruto - desconto_total - valor_liquido) > 0.01",
        ),
    ]
    for key, dimension, dimension_key in _FACT_DIMENSIONS:
        checks.append(QualityCheck(
            f"fato_vendas_{dimension}_integrity", f"every fato_vendas.{key} exists in {dimension}",
            f"SELECT COUNT(*) = 0 FROM {fact} f LEFT JOIN {schema}.{dimension} d"
            f" ON f.{key} = d.{dimension_key} WHERE d.{dimension_key} IS NULL",
        ))
    for dimension, dimension_key in _DIMENSION_KEYS:
        checks.append(QualityCheck(
            f"{dimension}_unique_key", f"{dimension}.{dimension_key} is unique and has the 0 member",
            f"SELECT COUNT(*) = COUNT(DISTINCT {dimension_key}),"
            f" SUM(CASE WHEN {dimension_key} = 0 THEN 1 ELSE 0 END) = 1 FROM {schema}.{dimension}",
        ))
    checks.append(QualityCheck(
        "dim_cliente_one_current_version", "SCD2: at most one current row per customer",
        f"SELECT COUNT(*) = 0 FROM (SELECT cliente_id FROM {schema}.dim_cliente"
        " WHERE is_atual GROUP BY cliente_id HAVING COUNT(*) > 1) t",
    ))
    return checks
