"""What ``pol serve`` answers, without the web framework (that is ``serve.py``).

Each answer is what the command gives for the same case: a calculation is ``pol calc --json``,
an explanation ``pol explain --json``, a profile ``pol calc --set --json``, a batch the file
``pol batch`` writes.  Values sent as JSON are read as ``--input`` values are (``values.parse_value``,
``runtime.read``) and checked by the calculators themselves; a value they refuse is a ``Problems``
naming the field, in Chinese, never an exception of another kind.
"""

from __future__ import annotations

import difflib
import json
import re
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pol_runtime as runtime
from pol_runtime import PolInputError
from pol_runtime.columns import sets as vector_set

from .. import ir
from ..plan import interpret
from . import batch, explain, policy_set
from .schema import ID_FIELDS
from .values import ValueError_, parse_value

BATCH_OUTPUTS = ("csv", "xlsx", "parquet", "json")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


@dataclass(frozen=True)
class Problem:
    field: str | None  # the input at fault; None when the request as a whole is
    message: str


class Problems(Exception):
    """What is wrong with a request, every field at once (HTTP 422)."""

    def __init__(self, problems: Sequence[Problem], result: dict[str, object] | None = None) -> None:
        super().__init__("；".join(p.message for p in problems))
        self.problems = tuple(problems)
        self.result = result  # what could be computed all the same (a profile with one bad fact)


class UnknownRule(LookupError):
    """No rule of that id (HTTP 404); the message suggests a close one."""


def find_rule(modules: Sequence[ir.Module], rule_id: str) -> tuple[ir.Module, ir.Rule]:
    for module in modules:
        for rule in module.rules:
            if rule.id == rule_id:
                return module, rule
    ids = [rule.id for module in modules for rule in module.rules]
    close = difflib.get_close_matches(rule_id, ids, n=1, cutoff=0.4)
    raise UnknownRule(f"没有编号为 {rule_id} 的规则" + (f"；是否指 {close[0]}？" if close else ""))


def read_value(spec: ir.Input, raw: object) -> object:
    """A JSON value as ``spec``'s type; ``ValueError_`` says why not."""
    if raw is None:
        raise ValueError_("不能为空（null）")
    if isinstance(raw, bool):
        text = "是" if raw else "否"
    elif isinstance(raw, int | Decimal):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw
    else:
        raise ValueError_(f"应为{spec.type.value}，实际是 JSON {'数组' if isinstance(raw, list) else '对象'}")
    return parse_value(spec, text)


def read_inputs(rule: ir.Rule, body: object) -> dict[str, object]:
    """The values of ``rule``'s inputs in ``body``: each given, known and readable."""
    if not isinstance(body, dict):
        raise Problems([Problem(None, "请求体应是“输入名称: 值”的 JSON 对象")])
    specs = {spec.name: spec for spec in rule.inputs}
    problems = []
    for name in body:
        if name not in specs:
            close = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.4)
            hint = f"；是否指“{close[0]}”？" if close else f"；{rule.id} 读取的输入：{'、'.join(specs) or '无'}"
            problems.append(Problem(name, f"没有名为“{name}”的输入{hint}"))
    values: dict[str, object] = {}
    for spec in rule.inputs:
        if spec.name not in body:
            problems.append(Problem(spec.name, f"要计算 {rule.id}，还需要输入“{spec.name}”（{spec.type.value}）"))
            continue
        try:
            values[spec.name] = read_value(spec, body[spec.name])
        except ValueError_ as error:
            problems.append(Problem(spec.name, f"输入“{spec.name}”：{error}"))
    if problems:
        raise Problems(problems)
    return values


def profile_facts(body: object) -> dict[str, object]:
    """An enterprise profile as ``pol calc --set --profile`` reads one: names and values, or under ``facts``."""
    if isinstance(body, dict) and isinstance(body.get("facts"), dict):
        body = {**body["facts"], **{k: v for k, v in body.items() if k != "facts"}}
    if not isinstance(body, dict):
        raise Problems([Problem(None, "企业情况应是“名称: 值”的 JSON 对象")])
    return {str(k): v for k, v in body.items()}


@dataclass
class BatchAnswer:
    content: bytes | None  # the results file, for csv, xlsx and parquet
    rows: list[dict[str, object]] | None  # the results file's rows, for json
    summary: dict[str, object] = field(default_factory=dict)


class Policies:
    """A folder of compiled policies, answering as the ``pol`` commands do.

    ``batch_entries`` and ``kernels``: the calculators ``pol batch`` uses (compiled from the sources,
    by column where it can); by default the interpreter, row by row, which writes the same file.
    """

    def __init__(self, modules: Sequence[ir.Module], folder: Path | None = None,
                 batch_entries: Sequence[runtime.Entry] | None = None,
                 kernels: Sequence[vector_set.Kernel | None] | None = None) -> None:
        self.modules = tuple(modules)
        self.entries = policy_set.entries(self.modules)
        self.batch_entries = batch_entries if batch_entries is not None else self.entries
        self.kernels = kernels
        self.budgets = policy_set.budgets(self.modules)
        self.dues = policy_set.dues(self.modules)  # the rules paid in parts: a column per tranche
        self.examples = examples(folder) if folder is not None else {}
        self.known = {name for entry in self.entries for name, _, _ in entry.inputs} | \
            {runtime.DATE_FIELD, runtime.PLACE_FIELD}

    def rules(self) -> list[tuple[ir.Module, ir.Rule]]:
        return [(module, rule) for module in self.modules for rule in module.rules]

    def find(self, rule_id: str) -> tuple[ir.Module, ir.Rule]:
        return find_rule(self.modules, rule_id)

    def rule(self, rule_id: str) -> ir.Rule:
        return find_rule(self.modules, rule_id)[1]

    # ── listings ──────────────────────────────────────────────────────────────
    def documents(self) -> list[dict[str, object]]:
        return [{
            "module": module.module_name,
            "document": module.document_number,
            "title": module.document_title,
            "issuer": module.issuer,
            "issued": module.issued.isoformat() if module.issued else None,
            "validity": [day.isoformat() for day in module.validity] if module.validity else None,
            "places": list(module.places),
            "rules": [rule_summary(module, rule) for rule in module.rules],
        } for module in self.modules]

    def rule_list(self) -> list[dict[str, object]]:
        return [rule_summary(module, rule) for module, rule in self.rules()]

    def rule_detail(self, rule_id: str) -> dict[str, object]:
        module, rule = find_rule(self.modules, rule_id)
        return {**rule_summary(module, rule), "quotes": list(rule.quotes), "readings": list(rule.readings),
                "inputs": [input_summary(spec) for spec in rule.inputs]}

    # ── answers ───────────────────────────────────────────────────────────────
    def calculate(self, rule_id: str, body: object) -> dict[str, object]:
        """``pol calc --clause rule_id --json``."""
        rule = self.rule(rule_id)
        values = read_inputs(rule, body)
        try:
            return interpret.evaluate(rule, values).to_json()
        except PolInputError as error:
            raise Problems([Problem(error.field, str(error))]) from None

    def explain(self, rule_id: str, body: object) -> dict[str, object]:
        """``pol explain --clause rule_id --json``."""
        rule = self.rule(rule_id)
        values = read_inputs(rule, body)
        try:
            return explain.explain(rule, values)[1]
        except PolInputError as error:
            raise Problems([Problem(error.field, str(error))]) from None

    def evaluate(self, body: object) -> dict[str, object]:
        """``pol calc --set --profile --json``; a fact that cannot be read is a problem, with the result
        of the rest beside it."""
        facts = profile_facts(body)
        result = runtime.evaluate_set(self.entries, facts)
        data = result.to_json(self.entries)
        listed = {key for entry in self.entries if (key := runtime.item_key(entry, facts)) is not None}
        data["unknown_facts"] = sorted(set(facts) - self.known - set(ID_FIELDS) - listed)
        if result.errors:
            raise Problems([Problem(name, f"输入“{name}”：{message}") for name, message in result.errors.items()], data)
        return data

    def batch(self, name: str, data: bytes, output: str) -> BatchAnswer:
        """``pol batch`` of an uploaded file; ``output`` is csv, xlsx, parquet (the file) or json (its rows)."""
        if output not in BATCH_OUTPUTS:
            raise Problems([Problem("output", f"不支持的结果格式“{output}”：可用 {'、'.join(BATCH_OUTPUTS)}")])
        suffix = Path(name).suffix.lower()
        if not _SUFFIX.fullmatch(suffix):
            raise Problems([Problem("file", f"无法从文件名“{name}”看出格式：请上传 .csv、.xlsx 或 .parquet 文件")])
        with tempfile.TemporaryDirectory(prefix="pol-serve-") as folder:
            source = Path(folder) / f"applications{suffix}"
            target = Path(folder) / f"results.{'parquet' if output == 'json' else output}"
            source.write_bytes(data)
            try:
                summary = batch.run(self.batch_entries, source, target, progress=False, kernels=self.kernels,
                                    dues=self.dues)
            except batch.BatchError as error:
                raise Problems([Problem("file", str(error).replace(str(source), name))]) from None
            answer = BatchAnswer(None, None, {
                "rows": summary.rows,
                "bad_rows": summary.bad_rows,
                "total": f"{summary.total:f}",
                "problems": [text.replace(str(source), name) for text in summary.problems],
                "warnings": [text.replace(str(source), name) for text in summary.warnings],
                "encoding": summary.encoding,
                "budgets": summary.budget_lines(self.budgets),
            })
            if output == "json":
                import pyarrow.parquet as parquet

                answer.rows = parquet.read_table(target).to_pylist()
            else:
                answer.content = target.read_bytes()
        return answer


def rule_summary(module: ir.Module, rule: ir.Rule) -> dict[str, object]:
    return {
        "rule": rule.id,
        "document": module.document_number,
        "article": rule.article_text,
        "title": rule.title,
        "discretionary": rule.discretionary,
        "inputs": [spec.name for spec in rule.inputs],
        "calculate": f"/rules/{rule.id}/calculate",
        "explain": f"/rules/{rule.id}/explain",
    }


def input_summary(spec: ir.Input) -> dict[str, object]:
    return {"name": spec.name, "type": spec.type.value, "choices": list(spec.choices), "description": spec.description}


def examples(folder: Path) -> dict[str, dict[str, object]]:
    """The first hand-computed example of each rule that applies (``*.examples.toml`` beside the policies),
    by rule id: what the OpenAPI document shows as each request's example."""
    found: dict[str, dict[str, object]] = {}
    files = sorted(folder.rglob("*.examples.toml")) if folder.is_dir() else \
        [folder.with_name(folder.name.removesuffix(".pol") + ".examples.toml")]
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # examples only illustrate the document; without them it still describes every input
        for entry in data.get("example", ()):
            if isinstance(entry, dict) and entry.get("applicable") and isinstance(entry.get("inputs"), dict) \
                    and entry.get("reading") != "未采用":  # worked out under the reading the policy did not choose
                found.setdefault(str(entry.get("rule")), dict(entry["inputs"]))
    return found


def parse_json(body: bytes) -> object:
    """A request body as JSON, numbers as ``Decimal`` (never float)."""
    def refuse(constant: str) -> Any:
        raise Problems([Problem(None, f"请求体中的 {constant} 不是数：金额请写数字或“1000万元”这样的文字")])

    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal, parse_constant=refuse)
    except UnicodeDecodeError:
        raise Problems([Problem(None, "请求体不是 UTF-8 编码的 JSON")]) from None
    except json.JSONDecodeError as error:
        raise Problems([Problem(None, f"请求体不是有效的 JSON：第{error.lineno}行第{error.colno}列有误")]) from None
    except (ValueError, RecursionError):  # an integer of over 4,300 digits, arrays nested too deep
        raise Problems([Problem(None, "请求体无法读取：数字过长或嵌套过深")]) from None

