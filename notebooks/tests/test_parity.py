"""Spark parity: the notebooks/sql files run on DuckDB and on Spark with Delta over the same bronze
input must produce the same gold tables (row counts and a content hash per table), after a full
run and after an incremental run over one more day of bronze rows."""
from __future__ import annotations

from engines import GOLD_TABLES

# Sale lines of the hand-written fixture that gold must hold (computed by hand; see
# server/test/transform/fato-vendas.test.ts for every column of each).
FIXTURE_SALE_LINES = {
    "erp:O1:1", "erp:O1:2", "erp:O1:3", "erp:O2:1", "erp:O3:1", "erp:O3:2", "erp:O5:1", "erp:O6:1",
    "pos:S0:1", "pos:S1:1", "pos:S1:2", "pos:S2:1",
}


def test_gold_tables_match_after_a_full_and_an_incremental_run(parity_build):
    """The build itself (bronze batch 1 in full, then batch 2 incrementally) is the session fixture
    `parity_build` (conftest.py), which compares gold after each batch."""
    duck = parity_build.duck
    for batch in (1, 2):
        problems = parity_build.problems[batch]
        assert not problems, f"after batch {batch}, gold tables differ between DuckDB and Spark:\n" + "\n\n".join(problems)
    for name, (full, incremental) in parity_build.timings.items():
        print(f"{name}: full run {full:.2f}s, incremental run {incremental:.2f}s")

    # Guard against comparing two empty results: the input must reach every gold table.
    sale_lines = {row[0] for row in duck.rows("SELECT venda_id FROM gold.fato_vendas")}
    assert FIXTURE_SALE_LINES <= sale_lines
    assert len(sale_lines) > 1000
    for table in GOLD_TABLES:
        assert duck.rows(f"SELECT count(*) FROM gold.{table}")[0][0] > 1, table
