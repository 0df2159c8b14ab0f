"""psycopg 3 and psycopg2 against the SQL API (started by scripts/test-python.d/sql-api-clients.sh).

Each client connects with SCRAM, with and without TLS, lists the model tables and columns, and
runs aggregate queries whose answers were computed with hand-written SQL over the source table.
psycopg 3 also runs a prepared statement in binary format (it sends LIMIT as a binary int2).
"""
import json
import os
from datetime import datetime

import psycopg
import psycopg2
import pytest

INFO = json.load(open(os.environ["SQL_API_INFO"]))
EXPECTED = INFO["expected"]
BASE = dict(host="127.0.0.1", port=INFO["port"], user="admin", password="admin_password", dbname="db")
TLS = dict(sslmode="verify-full", sslrootcert=INFO["certFile"])


def by_status():
    return [(r["status"], int(r["n"]), float(r["total"])) for r in EXPECTED["byStatus"]]


@pytest.mark.parametrize("tls", [False, True])
def test_psycopg3_connects_lists_and_aggregates(tls):
    with psycopg.connect(**BASE, **(TLS if tls else {"sslmode": "disable"})) as conn:
        assert conn.info.encoding == "utf-8"
        if tls:
            assert conn.pgconn.ssl_in_use
        cur = conn.cursor()
        cur.execute("select table_name from information_schema.tables where table_schema = 'public'")
        assert ("orders",) in cur.fetchall()
        cur.execute("select column_name, data_type from information_schema.columns where table_name = 'orders'")
        cols = dict(cur.fetchall())
        assert cols["total_amount"] == "double precision" and cols["count"] == "bigint"
        cur.execute("select status, measure(count), sum(total_amount) from orders group by 1 order by 1")
        assert [(s, n, pytest.approx(t)) for s, n, t in cur.fetchall()] == by_status()


def test_psycopg3_binary_prepared_statement_with_parameters():
    with psycopg.connect(**BASE, sslmode="disable") as conn:
        cur = conn.cursor(binary=True)
        sql = "select status, measure(count) as n from orders where city = %s and amount > %s group by 1 order by 1 limit %s"
        for _ in range(6):  # prepare_threshold: the statement becomes a named prepared one
            cur.execute(sql, ("Recife", 500, 10), prepare=True)
            got = cur.fetchall()
            assert got == [(r["status"], int(r["n"])) for r in EXPECTED["recifeAbove500"]]
        cur.execute("select date_trunc('month', created_at) as m, measure(count) from orders where status = 'paid' group by 1 order by 1")
        rows = cur.fetchall()
        assert [(m.strftime("%Y-%m-%d"), n) for m, n in rows] == [(r["m"], int(r["n"])) for r in EXPECTED["byMonthPaid"]]
        assert isinstance(rows[0][0], datetime)


@pytest.mark.parametrize("tls", [False, True])
def test_psycopg2_connects_lists_and_aggregates(tls):
    conn = psycopg2.connect(**BASE, **(TLS if tls else {"sslmode": "disable"}))
    try:
        cur = conn.cursor()
        cur.execute("select tablename from pg_catalog.pg_tables where schemaname = 'public'")
        assert ("orders",) in cur.fetchall()
        cur.execute("select status, measure(count), sum(total_amount) from orders group by 1 order by 1")
        assert [(s, n, pytest.approx(t)) for s, n, t in cur.fetchall()] == by_status()
        cur.execute("select status, measure(count) from orders where city = %s and amount > %s group by 1 order by 1", ("Recife", 500))
        assert cur.fetchall() == [(r["status"], int(r["n"])) for r in EXPECTED["recifeAbove500"]]
        conn.rollback()
    finally:
        conn.close()


def test_refused_statements_raise_with_sqlstate():
    with psycopg.connect(**BASE, sslmode="disable", autocommit=True) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("insert into orders (status) values ('x')")
        with pytest.raises(psycopg.errors.UndefinedFunction):
            conn.execute("select * from read_csv('/etc/passwd')")
        assert conn.execute("select 1").fetchone() == (1,)


@pytest.mark.parametrize("binary", [False, True])
def test_psycopg3_server_side_cursor_pages_through_a_grouped_query(binary):
    # psycopg declares the cursor (extended protocol, parameters bound server-side), describes it
    # as a portal, then pages with FETCH FORWARD n.
    with psycopg.connect(**BASE, sslmode="disable") as conn:
        with conn.cursor(name="by_status", binary=binary) as cur:
            cur.itersize = 2
            cur.execute("select status, measure(count) as n, sum(total_amount) as t from orders where amount > %s group by 1 order by 1", (-1,))
            assert [d.name for d in cur.description] == ["status", "n", "t"]
            got = [(s, n, pytest.approx(t)) for s, n, t in cur]  # iterates in FETCH pages of 2
        assert got == by_status()
        with conn.cursor(name="recife", scrollable=True) as cur:
            cur.execute("select status, measure(count) from orders where city = %s and amount > %s group by 1 order by 1", ("Recife", 500))
            expected = [(r["status"], int(r["n"])) for r in EXPECTED["recifeAbove500"]]
            assert cur.fetchmany(2) == expected[:2]
            cur.scroll(0, mode="absolute")  # MOVE ABSOLUTE 0: back before the first row
            assert cur.fetchall() == expected


def test_psycopg3_withhold_cursor_survives_commit():
    with psycopg.connect(**BASE, sslmode="disable") as conn:
        with conn.cursor(name="held", withhold=True) as cur:
            cur.execute("select status, measure(count) from orders group by 1 order by 1")
            conn.commit()
            assert [(s, n) for s, n in cur.fetchall()] == [(s, n) for s, n, _ in by_status()]


def test_psycopg2_named_cursor():
    conn = psycopg2.connect(**BASE, sslmode="disable")
    try:
        cur = conn.cursor("p2_cursor")
        cur.itersize = 2
        cur.execute("select status, measure(count), sum(total_amount) from orders group by 1 order by 1")
        assert [(s, n, pytest.approx(t)) for s, n, t in cur] == by_status()
        cur.close()
        conn.rollback()
    finally:
        conn.close()
