"""The ``pol`` command: check, build and calculate.

Only what every command needs is imported here; each command imports the rest (numpy, pyarrow,
openpyxl, Jinja, Lark, cn2an come with batch, build and compiling), so that ``pol --help`` and a
``pol calc`` whose policies are in the cache (``cache.py``) start in a fraction of a second.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .. import cache
from ..front.codes import Severity
from ..front.diagnostics import Diagnostic, has_errors, sort
from . import journal

if TYPE_CHECKING:
    from pol_runtime import Result
    from pol_runtime.columns import sets as vector_set

    from .. import ir
    from ..pipeline import Compiled
    from .build import Output

DEFAULT_POLICIES = Path("policies")
DEFAULT_OUTPUT = Path("generated")


class UsageError(Exception):
    """A mistake in what the command was given (a missing file, a bad value); exit status 1."""


class MisuseError(Exception):
    """The command line itself is wrong (options that go together, one missing); exit status 2."""


# Exit statuses, the whole contract (README §2): nothing else is ever returned.
OK, ERRORS, MISUSE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, with its complaints in the same one-line form as pol's own, and status 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(MISUSE, f"error: 命令行有误：{message}\n")


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pol")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "（未安装）"


class _Version(argparse.Action):
    """``--version``, looking the version up only when asked (importlib.metadata is slow to load)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str = "show program's version number and exit") -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        print(f"pol {version()}")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a mistake argparse reported
        return stop.code if isinstance(stop.code, int) else MISUSE
    try:
        _recover(args)
        code: int = args.run(args)
        return code
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return ERRORS
    except MisuseError as error:
        print(f"error: 命令行有误：{error}", file=sys.stderr)
        return MISUSE
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return ERRORS
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return ERRORS
    except ImportError as error:  # a library the command imports is missing: a broken installation
        from ..__main__ import cannot_start

        print(cannot_start(error), file=sys.stderr)
        return ERRORS
    except Exception as error:  # a bug in pol itself, not the user's mistake: still no traceback
        print(f"internal error: pol 自身出错（{type(error).__name__}: {error}），结果不可信。"
              "请把输入文件、所用命令和这条信息报告给维护者。", file=sys.stderr)
        return ERRORS


def _recover(args: argparse.Namespace) -> None:
    """Finish a build that was interrupted (``journal``) before doing anything else."""
    folders = {DEFAULT_OUTPUT} | ({args.output} if args.command in ("build", "site") else set())
    for folder in folders:
        try:
            if journal.recover(folder):
                print(f"已完成上次被中断的 pol build：{folder}/", file=sys.stderr)
        except OSError as error:
            raise UsageError(f"无法完成上次被中断的 pol build（{folder}/）：{error}") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pol", description="惠企政策的编译器：检查政策文件，生成精确的计算器。")
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")

    check = commands.add_parser("check", help="检查政策文件，报告所有错误")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".pol 文件或文件夹")
    check.add_argument("--json", action="store_true", help="以 JSON 输出诊断")
    check.set_defaults(run=run_check)

    tidy = commands.add_parser("fmt", help="按规范格式重写政策文件（注释保留）")
    tidy.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".pol 文件或文件夹")
    tidy.add_argument("--check", action="store_true", help="不写文件；列出格式不规范的文件，若有则以 1 退出")
    tidy.set_defaults(run=run_fmt)

    editor = commands.add_parser("lsp", help="语言服务器（经标准输入输出），供编辑器检查、悬停说明、补全和格式化")
    editor.set_defaults(run=run_lsp)

    make = commands.add_parser("build", help="把政策文件编译为 Python 计算器")
    make.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=f"默认 {DEFAULT_POLICIES}/")
    make.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                      help=f"输出文件夹，默认 {DEFAULT_OUTPUT}/")
    make.add_argument("--check", action="store_true", help="不写文件；若输出会改变则以 1 退出")
    make.add_argument("--vendor", action="store_true",
                      help="把运行库复制到输出文件夹（_pol_runtime/），生成的代码导入这份副本，不需安装 pol")
    make.set_defaults(run=run_build)

    pages = commands.add_parser("site", help="生成供审核签署的静态网站：每份政策、每条规则一页，解读登记、编码覆盖和搜索")
    pages.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=f"默认 {DEFAULT_POLICIES}/")
    pages.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="输出文件夹，如 build/site")
    pages.set_defaults(run=run_site)

    for form, what in (("ir", "输出规则的中间表示（IR），逐个节点"), ("plan", "输出规则的执行计划：按次序的各个步骤")):
        lowered = commands.add_parser(form, help=what)
        lowered.add_argument("file", type=Path, metavar="FILE")
        lowered.add_argument("--clause", metavar="ID", help="只输出这条规则，如 art24_investment")
        lowered.set_defaults(run=run_lowered)

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

    calc = commands.add_parser("calc", help="按一条或多条规则计算金额，并说明计算过程；或按整套政策计算一家企业")
    calc.add_argument("file", type=Path, metavar="FILE", nargs="?", help="一个 .pol 文件（与 --set 二选一）")
    calc.add_argument("--set", type=Path, metavar="POLICY_DIR", dest="policy_set",
                      help="一个政策文件夹：按其中全部规则和叠加规定计算")
    calc.add_argument("--profile", type=Path, metavar="enterprise.json|yaml", help="企业情况（与 --set 同用）")
    calc.add_argument("--clause", metavar="ID", help="规则编号，如 art24_investment")
    calc.add_argument("--input", action="append", default=[], metavar="名称=值",
                      help="输入值，如 固定资产投资=1000万元、非政府性资金投资=是")
    calc.add_argument("--json", action="store_true", help="以 JSON 输出")
    calc.set_defaults(run=run_calc)

    many = commands.add_parser("batch", help="批量计算申请表（CSV、XLSX 或 Parquet），每个申请一行结果")
    many.add_argument("applications", type=Path, metavar="applications.csv|xlsx|parquet")
    many.add_argument("--set", type=Path, metavar="POLICY_DIR", dest="policy_set", default=DEFAULT_POLICIES,
                      help=f"政策文件夹，默认 {DEFAULT_POLICIES}/")
    many.add_argument("-o", "--output", type=Path, required=True, metavar="results.csv|xlsx|parquet")
    many.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                      help="显示进度条：已处理行数/总行数、速度和剩余时间（默认：仅在终端中显示；--progress 在日志中也显示）")
    many.add_argument("--backend", choices=("vector", "scalar"), default="vector",
                      help="vector：按列批量计算（默认）；scalar：逐行计算。两者结果逐字节相同")
    many.add_argument("--encoding", type=_encoding, metavar="ENCODING",
                      help="CSV 文件的编码，如 gb18030、gbk、utf-16、utf-8（默认：自动识别）")
    many.add_argument("--summary", type=Path, metavar="summary.csv",
                      help="另把汇总（各条款、各专项资金的合计，有误行数）写入这个 CSV 文件")
    many.add_argument("--items-key", metavar="列名", dest="items_key",
                      help="每行一项（逐项计算的规则），按此列（如 企业名称）把相邻的行合为一家企业")
    many.add_argument("--long", action="store_true",
                      help="长表：每个申请的每条相关规则一行（条款、规则、名称、状态、金额、原因代码、原因）")
    many.set_defaults(run=run_batch)

    spread = commands.add_parser("spark", help="在 Apache Spark 上按列批量计算申请（结果与 pol batch 相同），写成 Parquet 文件夹")
    spread.add_argument("applications", metavar="applications.csv|parquet",
                        help="申请表：CSV（UTF-8，第一行为表头）或 Parquet，文件或 Spark 写的文件夹")
    spread.add_argument("--set", type=Path, metavar="POLICY_DIR", dest="policy_set", default=DEFAULT_POLICIES,
                        help=f"政策文件夹，默认 {DEFAULT_POLICIES}/")
    spread.add_argument("-o", "--output", type=Path, required=True, metavar="results.parquet",
                        help="结果文件夹（Parquet，列与 pol batch 的相同）")
    spread.add_argument("--master", metavar="MASTER",
                        help="Spark 的 master，如 local[2]、spark://host:7077（默认：Spark 的默认）")
    spread.set_defaults(run=run_spark)

    answer = commands.add_parser("serve", help="以 HTTP 服务提供计算（OpenAPI 文档在 /docs 和 /openapi.json）")
    answer.add_argument("policy_set", type=Path, nargs="?", default=DEFAULT_POLICIES, metavar="POLICY_DIR",
                        help=f"政策文件夹，默认 {DEFAULT_POLICIES}/")
    answer.add_argument("--host", default="127.0.0.1", help="监听的地址，默认 127.0.0.1（仅本机）")
    answer.add_argument("--port", type=_port, default=8000, help="端口，默认 8000；0 为任一空闲端口")
    answer.set_defaults(run=run_serve)

    describe = commands.add_parser("schema", help="输出规则和整套政策所读输入的 JSON Schema（draft 2020-12）")
    describe.add_argument("path", type=Path, metavar="FILE|DIR")
    describe.add_argument("--clause", metavar="ID", help="只输出这条规则的 Schema")
    describe.add_argument("--set", action="store_true", dest="as_set", help="输出企业情况（pol calc --set --profile）的 Schema")
    describe.set_defaults(run=run_schema)
    return parser


# ── check and build ───────────────────────────────────────────────────────────
def _compile(paths: list[Path], cached: bool = False) -> list[Compiled]:
    """Every policy under ``paths``, compiled; with ``cached``, through the cache of compiled policies
    (``cache.compile_all``: what pol calc, explain and batch use, which only compile in memory)."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UsageError("找不到：" + "、".join(str(p) for p in missing))
    if cached:
        compiled = cache.compile_all(paths)
    else:
        from . import build

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
    notes = sum(1 for d in diagnostics if d.severity is Severity.INFO)
    if errors or warnings or notes:
        print(f"{errors} 个错误，{warnings} 个警告" + (f"，{notes} 条提示" if notes else ""), file=sys.stderr)


def run_check(args: argparse.Namespace) -> int:
    compiled = _compile(args.paths)
    diagnostics = sort(d for unit in compiled for d in unit.diagnostics)
    _report(diagnostics, args.json)
    if not args.json and not has_errors(diagnostics):
        rules = sum(len(unit.module.rules) for unit in compiled if unit.module)
        print(f"检查通过：{len(compiled)} 个文件，{rules} 条规则")
    return 1 if has_errors(diagnostics) else 0


def run_fmt(args: argparse.Namespace) -> int:
    from . import fmt
    from .policy_files import display_name, find_policies

    missing = [p for p in args.paths if not p.exists()]
    if missing:
        raise UsageError("找不到：" + "、".join(str(p) for p in missing))
    results = [fmt.format_path(path, display_name(path)) for path in find_policies(args.paths)]
    if not results:
        raise UsageError("没有找到 .pol 文件：" + "、".join(str(p) for p in args.paths))
    _report(sort(d for result in results for d in result.diagnostics))
    failed = [result for result in results if result.text is None]
    for result in failed:
        if result.problem:
            print(f"internal error: 无法格式化 {result.name}（{result.problem}）。请把该文件报告给维护者。", file=sys.stderr)
    changed = [result for result in results if result.changed]
    for result in changed:
        if args.check:
            print(f"会改变：{result.name}")
        else:
            assert result.text is not None
            fmt.write_in_place(result.path, result.text)
            print(f"已格式化：{result.name}")
    if failed:
        print(f"{len(failed)} 个文件有错误，未格式化", file=sys.stderr)
    if args.check and changed:
        print(f"{len(changed)} 个文件格式不规范，请运行 pol fmt", file=sys.stderr)
    elif not failed and not changed:
        print(f"{len(results)} 个文件格式规范")
    return 1 if failed or (args.check and changed) else 0


def run_lsp(args: argparse.Namespace) -> int:
    try:
        from .lsp import server
    except ImportError as error:  # pol installed without its editor extra
        raise UsageError(f"pol lsp 需要 pygls（{error.name or error}）：pip install 'pol[editor]'") from None
    return server.run()


def _compiled_for_output(args: argparse.Namespace) -> list[Compiled] | None:
    """The files ``pol build`` and ``pol site`` write from, compiled, with their diagnostics reported; ``None``
    when any has an error (nothing is written then)."""
    compiled = _compile(args.paths or [DEFAULT_POLICIES])
    diagnostics = sort(d for unit in compiled for d in unit.diagnostics)
    _report(diagnostics)
    if has_errors(diagnostics):
        print("有错误，未写入任何文件", file=sys.stderr)
        return None
    names = [unit.module.module_name for unit in compiled if unit.module]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise UsageError("多个文件会生成同名模块：" + "、".join(clashes))
    return compiled


def _write_folder(files: list[Output], output: Path) -> list[str]:
    """``files`` written into ``output`` all at once (``build.write``); the names that changed."""
    from . import build

    if output.exists() and not output.is_dir():
        raise UsageError(f"输出位置 {output} 已有同名文件，不是文件夹")
    try:
        return build.write(files, output)
    except build.BuildError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"无法写入 {output}/：{error.strerror or error}") from None


def run_build(args: argparse.Namespace) -> int:
    from . import build

    compiled = _compiled_for_output(args)
    if compiled is None:
        return 1
    files = build.outputs(compiled, vendor=args.vendor)
    if args.check:
        changed = build.differences(files, args.output)
        for name in changed:
            print(f"会改变：{args.output / name}")
        if changed:
            print(f"{args.output}/ 与政策文件不一致，请运行 pol build", file=sys.stderr)
            return 1
        print(f"{args.output}/ 与政策文件一致")
        return 0
    changed = _write_folder(files, args.output)
    print(f"已编译 {len(compiled)} 个文件到 {args.output}/（{len(changed)} 个文件有变化）")
    return 0


def run_site(args: argparse.Namespace) -> int:
    """``pol site``: the reviewers' HTML pages (``emit/site.py``), written as ``pol build`` writes its folder."""
    from ..emit import site
    from . import build

    compiled = _compiled_for_output(args)
    if compiled is None:
        return 1
    modules = [unit.module for unit in compiled if unit.module]
    sources = {unit.module.module_name: unit.source.text for unit in compiled if unit.module}
    pages = [build.Output(page.name, page.text) for page in site.render(modules, sources)]
    files = [*pages, build.Output(build.MANIFEST, build.manifest_text(page.name for page in pages))]
    changed = _write_folder(files, args.output)
    print(f"已生成 {len(modules)} 份政策的审核页到 {args.output}/（{len(files)} 个文件，{len(changed)} 个有变化）"
          f"；从 {args.output / 'index.html'} 打开")
    return 0


def run_lowered(args: argparse.Namespace) -> int:
    """``pol ir`` and ``pol plan`` (``dump.py``)."""
    from . import dump

    [unit] = _compile([args.file])
    if unit.module is None:
        _report(list(unit.diagnostics))
        return 1
    try:
        sys.stdout.write(dump.render(args.command, unit.module, args.clause))
    except ValueError as error:
        raise UsageError(str(error)) from None
    return 0


def run_coverage(args: argparse.Namespace) -> int:
    from . import coverage

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
    from pol_runtime import PolInputError

    from . import explain

    [unit] = _compile([args.file], cached=True)
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
    from pol_runtime import PolInputError

    from ..plan import interpret

    if args.policy_set is not None or args.profile is not None:
        return run_calc_set(args)  # a profile with one .pol file: that file as a set of one
    if args.file is None:
        raise MisuseError("请给出一个 .pol 文件，或用 --set 政策文件夹 --profile 企业情况文件")
    [unit] = _compile([args.file], cached=True)
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
            if rule.items is not None:
                from ..ir import wording

                print(wording.one_item(rule.items))
    return 0


def _modules(folder: Path) -> list[ir.Module]:
    compiled = _compile([folder], cached=True)
    diagnostics = sort(d for unit in compiled for d in unit.diagnostics if d.severity is Severity.ERROR)
    if diagnostics:
        _report(diagnostics)
        raise UsageError("政策文件有错误，无法计算")
    return [unit.module for unit in compiled if unit.module is not None]


def _profile(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"无法读取企业情况文件 {path}：{error.strerror}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as error:  # json.JSONDecodeError, yaml.YAMLError
        raise UsageError(f"企业情况文件 {path} 格式有误：{error}") from None
    if isinstance(data, dict) and isinstance(data.get("facts"), dict):
        data = {**data["facts"], **{k: v for k, v in data.items() if k != "facts"}}
    if not isinstance(data, dict):
        raise UsageError(f"企业情况文件 {path} 应是“名称: 值”的对照表")
    return {str(k): v for k, v in data.items()}


def run_calc_set(args: argparse.Namespace) -> int:
    import pol_runtime as runtime
    from pol_runtime import format_yuan

    from . import policy_set

    if args.profile is None or (args.policy_set is None) == (args.file is None):
        raise MisuseError("--profile 须与 --set 政策文件夹（或一个 .pol 文件）同用")
    modules = _modules(args.policy_set if args.policy_set is not None else args.file)
    entries = policy_set.entries(modules)
    facts = _profile(args.profile)
    known = {name for entry in entries for name, _, _ in entry.inputs} | {runtime.DATE_FIELD, runtime.PLACE_FIELD}
    known |= {key for entry in entries if (key := runtime.item_key(entry, facts)) is not None}
    unknown = sorted(set(facts) - known - {"申请编号", "企业名称"})
    result = runtime.evaluate_set(entries, facts)
    if args.json:
        data = result.to_json(entries)
        data["unknown_facts"] = unknown
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    lines = []
    if result.kept:
        lines.append("可享受：")
        lines += [f"  {a.entry.article} {a.entry.title}（{a.entry.rule}）："
                  f"{'最高可得 ' if a.result.discretionary else ''}{format_yuan(a.result.amount)}" for a in result.kept]
    if result.decisions:
        lines.append("叠加：")
        lines += [f"  {text}" for text in result.decisions]
    if result.questions:
        lines.append("还需要的信息：")
        lines += [f"  {text}" for text in result.question_texts(entries)]
    if result.errors:
        lines.append("有误的信息：")
        lines += [f"  {name}：{message}" for name, message in result.errors.items()]
    touched = [rule for rule in result.not_applicable if not result.not_applicable[rule].startswith(runtime.WRONG_INPUT)]
    if touched:
        lines.append("不适用：")
        lines += [f"  {rule}：{result.not_applicable[rule]}" for rule in touched]
    lines += [f"说明：{note}" for note in result.notes]
    if unknown:
        lines.append("未使用的信息（政策中没有这些输入）：" + "、".join(unknown))
    total = f"合计：{format_yuan(result.total)}"
    if result.discretionary_total:
        total += f"（其中 {format_yuan(result.discretionary_total)} 为最高可得额度，具体由主管部门核定）"
    lines.append(total)
    print("\n".join(lines))
    return 0


def _encoding(name: str) -> str:
    """``--encoding``: a codec Python knows."""
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise argparse.ArgumentTypeError(f"不认识的编码“{name}”（可用如 gb18030、gbk、utf-16、utf-8）") from None


def run_batch(args: argparse.Namespace) -> int:
    from pol_runtime import format_yuan

    from . import batch, policy_set

    modules = _modules(args.policy_set)
    entries = policy_set.entries(modules, _generated_functions(args.policy_set, modules))
    kernels = _kernels(modules) if args.backend == "vector" else None
    try:
        summary = batch.run(entries, args.applications, args.output, progress=args.progress, kernels=kernels,
                            encoding=args.encoding, budgets=policy_set.budgets(modules), summary_file=args.summary,
                            long=args.long, dues=policy_set.dues(modules), items_key=args.items_key)
    except batch.BatchError as error:
        raise UsageError(str(error)) from None
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    read_as = f"（按 {summary.encoding} 编码读取）" if summary.encoding else ""
    print(f"已处理 {summary.rows} 行{read_as}，写入 {args.output}；合计 {format_yuan(summary.total)}")
    if summary.bad_rows:
        where = "长表中状态为“输入有误”" if args.long else "已在“错误”列说明"
        print(f"{summary.bad_rows} 行有误（{where}）：", file=sys.stderr)
        for problem in summary.problems:
            print(f"  {problem}", file=sys.stderr)
    for line in summary.budget_lines(policy_set.budgets(modules)):
        print(line)
    return 0


def run_spark(args: argparse.Namespace) -> int:
    try:
        from . import spark
    except ImportError as error:  # pol installed without its spark extra
        raise UsageError(f"pol spark 需要 pyspark（{error.name or error}）：pip install 'pol[spark]'") from None
    from pol_runtime import format_yuan

    from . import build

    compiled = _compile([args.policy_set], cached=True)
    diagnostics = sort(d for unit in compiled for d in unit.diagnostics if d.severity is Severity.ERROR)
    if diagnostics:
        _report(diagnostics)
        raise UsageError("政策文件有错误，无法计算")
    try:
        done = spark.run(build.outputs(compiled), args.applications, args.output, args.master)
    except spark.BatchError as error:
        raise UsageError(str(error)) from None
    for warning in done.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"已处理 {done.rows} 行，写入 {args.output}/；合计 {format_yuan(done.total)}")
    if done.bad_rows:
        print(f"{done.bad_rows} 行有误（已在“错误”列说明）", file=sys.stderr)
    return 0


# ── serve and schema ──────────────────────────────────────────────────────────
def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"端口应为 0–65535 的整数，实际是“{text}”")
    return int(text)


def run_serve(args: argparse.Namespace) -> int:
    try:
        from . import serve
    except ImportError as error:  # pol installed without its serve extra
        raise UsageError(f"pol serve 需要 fastapi 和 uvicorn（{error.name or error}）：pip install 'pol[serve]'") from None
    from . import policy_set
    from .service import Policies

    modules = _modules(args.policy_set)
    policies = Policies(modules, args.policy_set, policy_set.entries(modules, _generated_functions(args.policy_set, modules)),
                        _kernels(modules))
    rules = sum(len(module.rules) for module in modules)

    def started(address: str) -> None:
        print(f"pol serve：{len(modules)} 个文件，{rules} 条规则，在 {address} 提供服务（文档：{address}/docs）；"
              "Ctrl-C 停止", flush=True)

    try:
        serve.serve(policies, args.host, args.port, started)
    except OSError as error:
        raise UsageError(f"无法在 {args.host}:{args.port} 提供服务：{error.strerror or error}") from None
    print("pol serve 已停止", file=sys.stderr)
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from . import schema
    from .service import UnknownRule, find_rule

    if args.clause is not None and args.as_set:
        raise MisuseError("--clause 与 --set 不能同时给出")
    modules = _modules(args.path)
    if args.clause is not None:
        try:
            module, rule = find_rule(modules, args.clause)
        except UnknownRule as error:
            raise UsageError(str(error)) from None
        data = schema.standalone(schema.rule_schema(rule, module.document_number))
    elif args.as_set:
        data = schema.standalone(schema.set_schema(modules))
    else:
        data = {"rules": schema.rule_schemas(modules)}
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def _kernels(modules: list[ir.Module]) -> list[vector_set.Kernel | None]:
    """The numpy calculators of every rule, aligned with ``policy_set.entries(modules)``, compiled in
    memory from the sources as pol build writes them; None for a rule computed by the scalar code."""
    from pol_runtime.columns import sets as vector_set

    from ..emit import markdown, vector

    kernels: list[vector_set.Kernel | None] = []
    for module in modules:
        loaded = markdown.load_calculators(vector.render(module), f"{module.module_name}_vector")
        kernels += [vector_set.Kernel.of(loaded, rule.id) if rule.id not in loaded.FALLBACK else None
                    for rule in module.rules]
    return kernels


def _generated_functions(folder: Path, modules: list[ir.Module]) -> Callable[[ir.Module, ir.Rule], Callable[..., Any]]:
    """The calculators compiled in memory from the sources: fast, and exactly what pol build writes."""
    from ..emit import markdown, python

    loaded = {m.module_name: markdown.load_calculators(python.render(m), m.module_name) for m in modules}

    def function(module: ir.Module, rule: ir.Rule) -> Callable[..., Any]:
        return getattr(loaded[module.module_name], rule.id)  # type: ignore[no-any-return]

    return function


def _read_inputs(module: ir.Module, pairs: list[str]) -> dict[str, object]:
    from .values import ValueError_, parse_value

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
    from pol_runtime import format_yuan

    lines = [f"{rule.article_text} {rule.title}（{rule.id}）"]
    for step in result.steps:
        if step.kind == "分期":
            continue  # the tranches are listed as a table after the amount
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
            if step.text.endswith("元"):  # a table entry's label already names its amount
                value = ""
        lines.append(f"  {mark} {step.kind} {step.text}{value}")
    if not result.applicable:
        lines.append(f"不适用：{result.reason}")
    elif result.floor is not None:
        ceiling = format_yuan(result.amount)
        lines.append(f"可得区间：{format_yuan(result.floor)}至{ceiling}（最高可得 {ceiling}）")
    elif result.discretionary:
        lines.append(f"最高可得：{format_yuan(result.amount)}")
    else:
        lines.append(f"金额：{format_yuan(result.amount)}")
    if result.tranches:
        lines += _tranche_table(result)
    return "\n".join(lines)


def _tranche_table(result: Result) -> list[str]:
    """The tranches of an award paid in parts: when each is due, its amount, and how it was worked out."""
    from pol_runtime import format_yuan

    from ..front.source import display_width

    how = [step.text.split("：", 1)[-1] for step in result.steps if step.kind == "分期"]
    rows = [("期", "应付", "金额", "计算")] + [(str(i), t.due, format_yuan(t.amount), said)
                                           for i, (t, said) in enumerate(zip(result.tranches, how, strict=True), 1)]
    widths = [max(display_width(row[c]) for row in rows) for c in range(3)]
    lines = ["分期给付（各期之和恰为金额；末期为余额）："]
    for row in rows:
        cells = [row[c] + " " * (widths[c] - display_width(row[c])) for c in range(3)]
        cells[2] = " " * (widths[2] - display_width(row[2])) + row[2]  # amounts right-aligned
        lines.append("  " + "  ".join([*cells, row[3]]).rstrip())
    return lines


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
