"""deploy/prometheus/alerts.yml checked without promtool: the rule file's structure (Prometheus' rule
format), every Tuberry series it names exists in app/metrics.py, and the four conditions operators
must hear about have a rule."""

from __future__ import annotations

import re
from typing import Any

import yaml
from prometheus_client.metrics import MetricWrapperBase

from tests.deploy.files import ROOT
from tuberry.app import metrics

DURATION = re.compile(r"^\d+[smhdwy]$")


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    assert set(document) == {"groups"}
    found = []
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "limit", "rules"} and group["name"] and group["rules"]
        found += group["rules"]
    return found


def exposed_series() -> set[str]:
    """The sample names Tuberry's metrics expose (a counter `x` as `x_total`, a histogram's buckets…)."""
    names: set[str] = set()
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            family = metric.describe()[0]
            suffixes = {
                "counter": ("_total",),
                "histogram": ("_bucket", "_sum", "_count"),
                "gauge": ("",),
            }[family.type]
            names |= {family.name + suffix for suffix in suffixes}
    return names


def test_every_rule_is_well_formed() -> None:
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names))
    for rule in rules():
        assert set(rule) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, rule
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"])
        assert isinstance(rule["expr"], str) and rule["expr"].strip()
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
        assert DURATION.match(str(rule.get("for", "0m"))), rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_rules_name_only_series_tuberry_exposes() -> None:
    exposed = exposed_series()
    for rule in rules():
        used = set(re.findall(r"\btuberry_[a-z_]+", rule["expr"]))
        assert used <= exposed, f"{rule['alert']}: {used - exposed} is not in app/metrics.py"


def test_poll_lag_failed_messages_429s_and_the_worker_heartbeat_are_watched() -> None:
    expressions = " ".join(rule["expr"] for rule in rules())
    assert "tuberry_oldest_poll_age_seconds" in expressions  # poll lag
    assert "tuberry_delivery_lag_seconds_bucket" in expressions  # late deliveries, as buyers feel it
    assert 'outcome="failed"' in expressions
    assert "tuberry_telegram_retry_after_total" in expressions
    assert 'up{job="tuberry-worker"}' in expressions
    assert "tuberry_worker_tick_timestamp_seconds" in expressions  # the workers' heartbeat
