"""The corpus of real clauses (tests/corpus) as a regression.

A clause recorded as compiling as written must keep doing so, and its hand-computed
cases must give their amounts from the interpreter and from the generated calculator;
a reworded clause must keep compiling. Clauses that now compile better than recorded
are improvements, reported by ``tests/corpus/report.py``, not failures.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from .corpus import report


@functools.cache
def checked() -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], list[report.Outcome]]:
    return report.check_all()


def outcomes(status: str) -> list[report.Outcome]:
    return [o for o in checked()[2] if o.status == status]


def test_every_clause_has_a_known_document_and_status() -> None:
    sources, clauses, _ = checked()
    assert clauses
    for entry in clauses:
        assert entry["doc"] in sources, entry["id"]
        assert entry["status"] in report.STATUSES, entry["id"]
        if entry["status"] != "as_written":
            assert entry.get("constructs"), f"{entry['id']}: name the missing construct"


@pytest.mark.parametrize("status", ["as_written", "reworded", "not_expressible"])
def test_recorded_status_still_holds(status: str) -> None:
    failures = {o.id: o.problems for o in outcomes(status) if o.problems}
    assert not failures, failures


def test_cases_were_run() -> None:
    _, clauses, results = checked()
    compiled = [e for e in clauses if e["status"] != "not_expressible"]
    assert sum(o.cases for o in results) >= sum(len(e.get("case", [])) for e in compiled)


def test_report_renders() -> None:
    figures = report.figures(*checked())
    text = report.render(figures)
    assert "as_written" in text and str(figures["clauses"]) in text


def test_the_readme_gives_the_figures_of_the_report() -> None:
    figures = report.figures(*checked())
    readme = (report.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 4.10 Real clauses", 1)[1].split("## 5.", 1)[0]
    rows = {"as_written": "compiles as the policy writes it", "reworded": "compiles only reworded",
            "not_expressible": "not expressible yet"}
    for status, label in rows.items():
        line = next(line for line in section.splitlines() if line.startswith(f"| {label}"))
        count, share = (cell.strip() for cell in line.strip("|").split("|")[1:3])
        assert (int(count), share) == (figures["status"][status], f"{figures['share'][status]:.1%}"), line
    assert f"{figures['clauses']} computable clauses" in section and f"{figures['documents']} real" in section
