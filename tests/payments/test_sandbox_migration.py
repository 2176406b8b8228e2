"""The sandbox's tables move from payments to the payments_sandbox app without losing a row."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("payments", "0006_statement_heartbeat"), ("payments_sandbox", None)]
FORMER_TABLES = {"payments_sandboxapp", "payments_sandboxtrade", "payments_sandboxnotification"}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _latest(executor):
    return executor.loader.graph.leaf_nodes()


def _tables():
    return set(connection.introspection.table_names())


def test_rows_the_sandbox_kept_in_payments_are_taken_over_by_its_own_app(db):
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[:1]).apps
    app = old.get_model("payments", "SandboxApp").objects.create(
        app_id="2021000000000099", merchant_public_key="m", gateway_private_key="g", gateway_public_key="p"
    )
    old.get_model("payments", "SandboxTrade").objects.create(
        app=app, out_trade_no="20261129000000000001", trade_no="T1", subject="报名费", total_amount="380.00"
    )

    executor = _migrate(_latest(executor))

    new = executor.loader.project_state(_latest(executor)).apps
    trade = new.get_model("payments_sandbox", "SandboxTrade").objects.get()
    assert (trade.trade_no, trade.app.app_id) == ("T1", "2021000000000099")
    assert not FORMER_TABLES & _tables()


def test_empty_sandbox_tables_are_dropped_from_payments_and_made_afresh(db):
    executor = _migrate(BEFORE)
    assert _tables() >= FORMER_TABLES

    executor = _migrate([("payments", "0007_sandbox_moves_to_its_own_app")])
    # What a production database (the sandbox never installed) is left with: no sandbox table at all.
    assert not {table for table in _tables() if "sandbox" in table}

    _migrate(_latest(executor))
    assert {"payments_sandbox_sandboxapp", "payments_sandbox_sandboxtrade"} <= _tables()
