"""Hand-computed examples from the policy text, run against both backends.

Each ``policies/<name>.examples.toml`` lists, for every rule, examples worked
out by hand from the original sentence: at every threshold and on both sides
of it, at each cap's knee and beyond it (a range gives ``floor`` too, its least).  Each must give the expected amount
from the IR interpreter, from the generated ``Result`` function and from the
generated amount-only function.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal

import pytest

from compiler import ir
from compiler.plan import interpret
from compiler.tools.values import parse_value

from .conftest import POLICIES, compiled_module, generated_module


@dataclass(frozen=True)
class Example:
    stem: str
    rule: str
    inputs: dict[str, object]
    amount: Decimal
    applicable: bool
    note: str
    rejected: bool  # worked out under the reading the policy file did not choose
    floor: Decimal | None = None  # a range (5%—20%): the least that may be granted; ``amount`` is the most
    @property
    def id(self) -> str:
        return f"{self.rule}:{self.note}"


def load_examples() -> list[Example]:
    examples = []
    for path in sorted(POLICIES.glob("*.examples.toml")):
        stem = path.name.removesuffix(".examples.toml")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in data["example"]:
            examples.append(Example(stem, entry["rule"], entry["inputs"], Decimal(entry["amount"]),
                                    entry["applicable"], entry.get("note", ""), entry.get("reading") == "未采用",
                                    Decimal(entry["floor"]) if "floor" in entry else None))
    return examples


EXAMPLES = [e for e in load_examples() if not e.rejected]
REJECTED = [e for e in load_examples() if e.rejected]


def values_for(rule: ir.Rule, raw: dict[str, object]) -> dict[str, object]:
    specs = {spec.name: spec for spec in rule.inputs}
    assert set(raw) == set(specs), f"example inputs {sorted(raw)} != rule inputs {sorted(specs)}"
    return {name: parse_value(specs[name], str(value)) for name, value in raw.items()}


def rule_of(stem: str, rule_id: str) -> ir.Rule:
    rules = {rule.id: rule for rule in compiled_module(stem).rules}
    assert rule_id in rules, f"no rule {rule_id} in {stem}.pol"
    return rules[rule_id]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_example(example: Example) -> None:
    rule = rule_of(example.stem, example.rule)
    values = values_for(rule, example.inputs)
    expected = (example.amount.quantize(Decimal("0.01")), example.applicable)

    by_interpreter = interpret.evaluate(rule, values)
    assert (by_interpreter.amount, by_interpreter.applicable) == expected, example.note
    assert by_interpreter.floor == example.floor, example.note

    module = generated_module(example.stem)
    by_generated = getattr(module, rule.id)(**values)
    assert (by_generated.amount, by_generated.applicable) == expected, example.note
    assert getattr(module, f"{rule.id}_amount")(**values) == example.amount
    assert by_generated.to_json() == by_interpreter.to_json()


def covers_every_choice(rule: ir.Rule) -> bool:
    """A table that lists every choice of its input can only apply."""
    assert isinstance(rule.computation, ir.Lookup)
    spec = next(i for i in rule.inputs if i.name == rule.computation.var.name)
    return {e.key for e in rule.computation.entries} >= set(spec.choices)


@pytest.mark.parametrize("example", REJECTED, ids=lambda e: e.id)
def test_the_reading_not_chosen_gives_another_amount(example: Example) -> None:
    """Where a clause reads two ways, the calculators follow the reading the .pol declares."""
    rule = rule_of(example.stem, example.rule)
    assert rule.readings, f"{rule.id} declares no reading"
    result = interpret.evaluate(rule, values_for(rule, example.inputs))
    assert (result.amount, result.applicable) != (example.amount.quantize(Decimal("0.01")), example.applicable)


def test_every_ambiguity_has_an_example_under_the_other_reading() -> None:
    # art11_city_topup's other reading (5% of the city's award) needs an input the chosen reading does not take.
    ambiguous = {("wucheng2023", rule) for rule in ("art9_cooperation", "art11_rd_subsidy", "art25_monthly_revenue",
                                                    "art38_grain_subsidy")}
    ambiguous |= {("liuhe2023", "art2_agri_mid"), ("liuhe2023", "art11_output_growth")}  # 5000万元以上; 超出额
    assert ambiguous <= {(e.stem, e.rule) for e in REJECTED}


def test_every_rule_has_examples_on_both_sides() -> None:
    for stem in {e.stem for e in EXAMPLES}:
        for rule in compiled_module(stem).rules:
            mine = [e for e in EXAMPLES if e.stem == stem and e.rule == rule.id]
            assert any(e.applicable for e in mine), f"{rule.id}: no example where it applies"
            if rule.conditions or rule.exclusions or isinstance(rule.computation, ir.Steps) \
                    or isinstance(rule.computation, ir.Lookup) and not covers_every_choice(rule):
                assert any(not e.applicable for e in mine), f"{rule.id}: no example where it does not apply"
            if rule.caps:
                assert any(e.applicable and e.amount == rule.caps[0].amount for e in mine), \
                    f"{rule.id}: no example beyond the cap"
