"""The ``pol`` command: check, build and calculate."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import build, coverage, explain, interpret, ir
from .codes import Severity
from .diagnostics import Diagnostic, has_errors, sort
from .pipeline import Compiled
from .runtime import PolInputError, Result, format_yuan
from .values import ValueError_, parse_value

DEFAULT_POLICIES = Path("policies")
DEFAULT_OUTPUT = Path("generated")


class UsageError(Exception):
    """A mistake on the command line; the message says what, in Chinese."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 1
    except Exception as error:  # pragma: no cover - a bug in pol itself, not the user's mistake
        print(f"internal error: pol 自身出错（{type(error).__name__}: {error}）。请把输入文件和这条信息报告给维护者。",
              file=sys.stderr)
        return 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pol", description="惠企政策的编译器：检查政策文件，生成精确的计算器。")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")

    check = commands.add_parser("check", help="检查政策文件，报告所有错误")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".pol 文件或文件夹")
    check.add_argument("--json", action="store_true", help="以 JSON 输出诊断")
    check.set_defaults(run=run_check)

    make = commands.add_parser("build", help="把政策文件编译为 Python 计算器")
    make.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=f"默认 {DEFAULT_POLICIES}/")
    make.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                      help=f"输出文件夹，默认 {DEFAULT_OUTPUT}/")
    make.add_argument("--check", action="store_true", help="不写文件；若输出会改变则以 1 退出")
    make.set_defaults(run=run_build)

    cover = commands.add_parser("coverage", help="报告每份文件已记录的条文和已编码的条款")
    cover.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    cover.add_argument("--json", action="store_true", help="以 JSON 输出")
    cover.set_defaults(run=run_coverage)

    why = commands.add_parser("explain", help="说明某一情形下金额为何如此：条件、分档、封顶、排除")
    why.add_argument("file", type=Path, metavar="FILE")
    why.add_argument("--clause", metavar="ID", help="规则编号，如 art24_investment")
    why.add_argument("--input", action="append", default=[], metavar="名称=值")
    why.add_argument("--json", action="store_true", help="以 JSON 输出")
    why.set_defaults(run=run_explain)

    calc = commands.add_parser("calc", help="按一条或多条规则计算金额，并说明计算过程")
    calc.add_argument("file", type=Path, metavar="FILE")
    calc.add_argument("--clause", metavar="ID", help="规则编号，如 art24_investment")
    calc.add_argument("--input", action="append", default=[], metavar="名称=值",
                      help="输入值，如 固定资产投资=1000万元、非政府性资金投资=是")
    calc.add_argument("--json", action="store_true", help="以 JSON 输出")
    calc.set_defaults(run=run_calc)
    return parser


# ── check and build ───────────────────────────────────────────────────────────
def _compile(paths: list[Path]) -> list[Compiled]:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UsageError("找不到：" + "、".join(str(p) for p in missing))
    compiled = build.compile_all(paths)
    if not compiled:
        raise UsageError("没有找到 .pol 文件：" + "、".join(str(p) for p in paths))
    return compiled


def _report(diagnostics: list[Diagnostic], as_json: bool = False) -> None:
    if as_json:
        print(json.dumps([d.to_json() for d in diagnostics], ensure_ascii=False, indent=2))
        return
    for diagnostic in diagnostics:
        print(diagnostic.render(), file=sys.stderr)
        print(file=sys.stderr)
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    if errors or warnings:
        print(f"{errors} 个错误，{warnings} 个警告", file=sys.stderr)


def run_check(args: argparse.Namespace) -> int:
    compiled = _compile(args.paths)
    diagnostics = sort(d for unit in compiled for d in unit.diagnostics)
    _report(diagnostics, args.json)
    if not args.json and not has_errors(diagnostics):
        rules = sum(len(unit.module.rules) for unit in compiled if unit.module)
        print(f"检查通过：{len(compiled)} 个文件，{rules} 条规则")
    return 1 if has_errors(diagnostics) else 0


def run_build(args: argparse.Namespace) -> int:
    compiled = _compile(args.paths or [DEFAULT_POLICIES])
    diagnostics = sort(d for unit in compiled for d in unit.diagnostics)
    _report(diagnostics)
    if has_errors(diagnostics):
        print("有错误，未写入任何文件", file=sys.stderr)
        return 1
    names = [unit.module.module_name for unit in compiled if unit.module]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise UsageError("多个文件会生成同名模块：" + "、".join(clashes))
    files = build.outputs(compiled)
    if args.check:
        changed = build.differences(files, args.output)
        for name in changed:
            print(f"会改变：{args.output / name}")
        if changed:
            print(f"{args.output}/ 与政策文件不一致，请运行 pol build", file=sys.stderr)
            return 1
        print(f"{args.output}/ 与政策文件一致")
        return 0
    changed = build.write(files, args.output)
    print(f"已编译 {len(compiled)} 个文件到 {args.output}/（{len(changed)} 个文件有变化）")
    return 0


def run_coverage(args: argparse.Namespace) -> int:
    compiled = _compile(args.paths)
    diagnostics = sort(d for unit in compiled for d in unit.diagnostics if d.severity is Severity.ERROR)
    if diagnostics:
        _report(diagnostics)
        return 1
    reports = coverage.measure(unit.module for unit in compiled if unit.module)
    if args.json:
        data = [r.to_json() for r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(r.render() for r in reports))
    return 0


def run_explain(args: argparse.Namespace) -> int:
    [unit] = _compile([args.file])
    if unit.module is None:
        _report(list(unit.diagnostics))
        return 1
    given = _read_inputs(unit.module, args.input)
    outputs = []
    for rule in _chosen_rules(unit.module, args.clause, set(given)):
        try:
            _, reasons = explain.explain(rule, {spec.name: given[spec.name] for spec in rule.inputs})
        except PolInputError as error:
            raise UsageError(str(error)) from None
        outputs.append((rule, reasons))
    if args.json:
        data = [reasons for _, reasons in outputs]
        print(json.dumps(data[0] if len(data) == 1 else {"results": data}, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(explain.render(rule, reasons) for rule, reasons in outputs))
    return 0


# ── calc ──────────────────────────────────────────────────────────────────────
def run_calc(args: argparse.Namespace) -> int:
    [unit] = _compile([args.file])
    if unit.module is None:
        _report(list(unit.diagnostics))
        return 1
    module = unit.module
    given = _read_inputs(module, args.input)
    rules = _chosen_rules(module, args.clause, set(given))
    results = []
    for rule in rules:
        values = {spec.name: given[spec.name] for spec in rule.inputs}
        try:
            results.append((rule, interpret.evaluate(rule, values)))
        except PolInputError as error:
            raise UsageError(str(error)) from None
    if args.json:
        if len(results) == 1:
            print(json.dumps(results[0][1].to_json(), ensure_ascii=False, indent=2))
        else:
            print(json.dumps({"results": [r.to_json() for _, r in results]}, ensure_ascii=False, indent=2))
    else:
        for index, (rule, result) in enumerate(results):
            if index:
                print()
            print(_explain(rule, result))
    return 0


def _read_inputs(module: ir.Module, pairs: list[str]) -> dict[str, object]:
    specs = {spec.name: spec for spec in module.inputs}
    given: dict[str, object] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep:
            raise UsageError(f"--input 应写作“名称=值”，实际是“{pair}”")
        if name not in specs:
            close = difflib.get_close_matches(name, list(specs), n=1, cutoff=0.4)
            hint = f"；是否指“{close[0]}”？" if close else ""
            raise UsageError(f"没有名为“{name}”的输入{hint}")
        try:
            given[name] = parse_value(specs[name], text)
        except ValueError_ as error:
            raise UsageError(f"输入“{name}”：{error}") from None
    return given


def _chosen_rules(module: ir.Module, clause: str | None, given: set[str]) -> list[ir.Rule]:
    if clause is not None:
        rules = [r for r in module.rules if r.id == clause]
        if not rules:
            close = difflib.get_close_matches(clause, [r.id for r in module.rules], n=1, cutoff=0.4)
            hint = f"；是否指 {close[0]}？" if close else ""
            raise UsageError(f"没有编号为 {clause} 的规则{hint}")
        missing = [spec.name for spec in rules[0].inputs if spec.name not in given]
        if missing:
            raise UsageError(f"要计算 {clause}，还需要输入：" + "、".join(missing))
        return rules
    rules = [r for r in module.rules if r.inputs and all(spec.name in given for spec in r.inputs)]
    if not rules:
        raise UsageError("给出的输入不足以计算任何一条规则；用 --clause 指定规则，可看到所需输入")
    return rules


_MARKS = {True: "✓", False: "✗", None: "·"}


def _explain(rule: ir.Rule, result: Result) -> str:
    lines = [f"{rule.article_text} {rule.title}（{rule.id}）"]
    for step in result.steps:
        held = step.held if step.kind in ("条件", "排除") else None
        mark = _MARKS[held]
        if step.kind == "封顶":
            mark = "↓" if step.held else "·"
            suffix = "，封顶生效" if step.held else "，未触及"
            lines.append(f"  {mark} {step.kind} {step.text}{suffix}")
            continue
        value = ""
        if step.value is not None:
            value = {"比例": "", "名额": f"：{step.value:f}"}.get(step.kind, f"：{format_yuan(step.value)}")
        lines.append(f"  {mark} {step.kind} {step.text}{value}")
    if not result.applicable:
        lines.append(f"不适用：{result.reason}")
    elif result.discretionary:
        lines.append(f"最高可得：{format_yuan(result.amount)}")
    else:
        lines.append(f"金额：{format_yuan(result.amount)}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
