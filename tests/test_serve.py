"""pol serve, started as a real process on 127.0.0.1 and called over HTTP with urllib.

Every hand-computed example is calculated through the service and must give the amount worked
out by hand; a profile, an explanation and a batch must give exactly what ``pol calc --set --json``,
``pol explain --json`` and ``pol batch`` give; bad input is HTTP 422 naming the field in Chinese, an
unknown rule 404; the OpenAPI document describes every rule's inputs; the service stops cleanly.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from compiler.tools.cli import main

from .conftest import ROOT, compiled_module, policy_stems
from .test_examples import EXAMPLES

EXAMPLES_DIR = ROOT / "examples"
STARTUP = 180  # seconds: the service compiles the policies and their calculators first


class Service:
    def __init__(self, process: subprocess.Popen[str], address: str) -> None:
        self.process = process
        self.address = address

    def call(self, method: str, path: str, body: object = None, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        """The status, the body (JSON read, else bytes) and the headers of one request."""
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json", **(headers or {})}
        request = urllib.request.Request(self.address + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw, got = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), dict(error.headers)
        if got.get("content-type", "").startswith("application/json"):
            return status, json.loads(raw), got
        return status, raw, got

    def post(self, path: str, body: object) -> tuple[int, Any]:
        status, answer, _ = self.call("POST", path, body)
        return status, answer


def _pol() -> list[str]:
    script = Path(sys.executable).parent / "pol"
    return [str(script)] if script.exists() else [sys.executable, "-m", "compiler"]


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    process = subprocess.Popen([*_pol(), "serve", "policies", "--host", "127.0.0.1", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        running = Service(process, _address(process))
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            _, errors = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    assert process.returncode == 0, errors
    assert "pol serve 已停止" in errors
    assert "Traceback" not in errors, errors


def _address(process: subprocess.Popen[str]) -> str:
    """Where the service answers, once it does: the first line it prints names the address."""
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(STARTUP)
    match = re.search(r"在 (http://127\.0\.0\.1:\d+) 提供服务", lines[0] if lines else "")
    if match is None:
        process.kill()
        _, errors = process.communicate(timeout=30)
        pytest.fail(f"pol serve did not start (status {process.returncode}): {lines} {errors}")
    address = match.group(1)
    deadline = time.monotonic() + 30
    while True:  # the socket listens before uvicorn answers
        try:
            with urllib.request.urlopen(address + "/rules", timeout=10) as response:
                if response.status == 200:
                    return address
        except (urllib.error.URLError, ConnectionError):
            pass
        assert time.monotonic() < deadline and process.poll() is None, "pol serve does not answer"
        time.sleep(0.1)


def cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    capsys.readouterr()
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


# ── one rule ──────────────────────────────────────────────────────────────────
def test_every_hand_computed_example_through_the_service(service: Service) -> None:
    wrong = []
    for example in EXAMPLES:
        status, answer = service.post(f"/rules/{example.rule}/calculate", example.inputs)
        assert status == 200, (example.id, answer)
        if (Decimal(answer["amount"]), answer["applicable"]) != (example.amount, example.applicable):
            wrong.append((example.id, answer["amount"], answer["applicable"]))
    assert wrong == []


def test_amounts_are_exact_strings_and_json_numbers_are_read_exactly(service: Service) -> None:
    # art6: 科技信贷发放额 × LPR × 80%; 12345678.90 × 3.65% × 80% = 360493.82388 → 360493.82 (policies/wucheng2023.examples.toml)
    status, answer, _ = service.call("POST", "/rules/art6_tech_credit/calculate",
                                     data='{"科技信贷发放额": 12345678.90, "上年末一年期贷款LPR利率": 0.0365}'.encode(),
                                     headers={"Content-Type": "application/json"})
    assert status == 200 and answer["amount"] == "360493.82"
    # 1000.25 × 2% = 20.005, half up to 20.01: a float would have been 20.00499…
    status, answer = service.post("/rules/art6_tech_credit/calculate",
                                  {"科技信贷发放额": "1000.25", "上年末一年期贷款LPR利率": "2.5%"})
    assert status == 200 and answer["amount"] == "20.01"


def test_a_calculation_is_what_pol_calc_json_prints(service: Service, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = {"农业经营主体": "家庭农林场", "实际支付利息": "12.5万元", "担保费用": "3000元"}
    status, answer = service.post("/rules/art36_loan_interest/calculate", inputs)
    expected = cli_json(["calc", "policies/wucheng2023.pol", "--clause", "art36_loan_interest",
                         *[f"--input={k}={v}" for k, v in inputs.items()], "--json"], capsys)
    assert status == 200 and answer == expected
    assert answer["amount"] == "64000.00"  # README §2: (12.5万元 + 3000元) × 50%


def test_an_explanation_is_what_pol_explain_json_prints(service: Service, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = {"非政府性资金投资": "是", "固定资产投资": "8000万元", "实际投资额": "8000万元"}
    status, answer = service.post("/rules/art24_investment/explain", inputs)
    expected = cli_json(["explain", "policies/wucheng2023.pol", "--clause", "art24_investment",
                         *[f"--input={k}={v}" for k, v in inputs.items()], "--json"], capsys)
    assert status == 200 and answer == expected
    assert answer["caps"][0]["bound"] is True and answer["amount"] == "500000.00"  # 8000万 × 1% = 80万, capped at 50万


def fields(answer: dict[str, Any]) -> dict[str | None, str]:
    return {item["field"]: item["msg"] for item in answer["detail"]}


def test_a_bad_or_missing_input_is_422_naming_the_field_in_chinese(service: Service) -> None:
    good = {"非政府性资金投资": "是", "固定资产投资": "8000万元", "实际投资额": "8000万元"}
    status, answer = service.post("/rules/art24_investment/calculate", {**good, "固定资产投资": "很多"})
    assert status == 422
    assert fields(answer) == {"固定资产投资": "输入“固定资产投资”：“很多”不是金额，应写作如 50万元、1.5亿元、2500元"}
    assert answer["detail"][0]["loc"] == ["body", "固定资产投资"]

    status, answer = service.post("/rules/art24_investment/calculate", {**good, "固定资产投资": -5})
    assert status == 422 and fields(answer) == {"固定资产投资": "输入“固定资产投资”不能为负数，实际是 -5"}

    missing = {k: v for k, v in good.items() if k != "实际投资额"}
    status, answer = service.post("/rules/art24_investment/calculate", {**missing, "实际投资": "1万元"})
    assert status == 422
    assert fields(answer) == {"实际投资": "没有名为“实际投资”的输入；是否指“实际投资额”？",
                              "实际投资额": "要计算 art24_investment，还需要输入“实际投资额”（金额）"}

    status, answer = service.post("/rules/art32_time_honoured/calculate", {"新评老字号": "北京老字号"})
    assert status == 422 and "中华老字号、浙江老字号、金华老字号" in fields(answer)["新评老字号"]

    status, answer = service.post("/rules/art24_investment/calculate", {**good, "非政府性资金投资": None})
    assert status == 422 and fields(answer) == {"非政府性资金投资": "输入“非政府性资金投资”：不能为空（null）"}


def test_a_request_that_is_not_a_json_object_is_422_in_chinese(service: Service) -> None:
    for data in (b"{bad", b"[1, 2]", "“是”".encode(), b"\xff\xfe", b'{"x": NaN}'):
        status, answer, _ = service.call("POST", "/rules/art24_investment/calculate", data=data,
                                         headers={"Content-Type": "application/json"})
        assert status == 422, data
        [problem] = answer["detail"]
        assert problem["field"] is None and re.search(r"[\u4e00-\u9fff]", problem["msg"]), data


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["8000万元", "-1", "1e999999", "3%", "是", "2023-02-30", "国家级众创空间", "１０万元"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=st.sampled_from(["art24_investment", "art9_cooperation", "art36_loan_interest", "art12_maker_space"]),
       body=st.dictionaries(st.sampled_from(["非政府性资金投资", "固定资产投资", "实际投资额", "合作方式", "众创空间级别",
                                             "实际支付利息", "x"]), JSON_VALUES, max_size=5))
def test_whatever_a_caller_sends_is_an_answer_or_a_422_never_a_500(service: Service, rule: str,
                                                                   body: dict[str, object]) -> None:
    for path in (f"/rules/{rule}/calculate", f"/rules/{rule}/explain", "/set/evaluate"):
        status, answer = service.post(path, body)
        assert status in (200, 404, 422), (path, body, answer)
        if status == 422:
            assert all(re.search(r"[\u4e00-\u9fff]", item["msg"]) for item in answer["detail"]), answer


def test_an_unknown_rule_is_404_with_a_suggestion(service: Service) -> None:
    status, answer = service.post("/rules/art24_investmen/calculate", {})
    assert status == 404 and answer == {"detail": "没有编号为 art24_investmen 的规则；是否指 art24_investment？"}
    status, answer, _ = service.call("GET", "/rules/nothing_like_it")
    assert status == 404 and answer["detail"].startswith("没有编号为 nothing_like_it 的规则")
    status, answer, _ = service.call("GET", "/nowhere")
    assert status == 404 and "没有这个地址" in answer["detail"]


# ── the set ───────────────────────────────────────────────────────────────────
def test_a_profile_is_what_pol_calc_set_json_prints(service: Service, capsys: pytest.CaptureFixture[str]) -> None:
    profile = yaml.safe_load((EXAMPLES_DIR / "enterprise.yaml").read_text(encoding="utf-8"))
    as_json = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in profile.items()}  # 申报日期
    status, answer = service.post("/set/evaluate", as_json)
    expected = cli_json(["calc", "--set", "policies", "--profile", "examples/enterprise.yaml", "--json"], capsys)
    assert status == 200 and answer == expected
    # README §2: 第十一条 and 第十九条 50万元 each, 就高从优 within each matter: 100万元 in all
    assert answer["total"] == "1000000.00"
    assert {a["rule"] for a in answer["awards"]} == {"art11_rd_subsidy", "art19_top100"}


def test_a_profile_with_a_bad_fact_is_422_with_the_rest_computed(service: Service) -> None:
    status, answer = service.post("/set/evaluate", {"地区": "婺城区", "研发费用": "很多", "入选浙江省服务业100强": "是"})
    assert status == 422
    assert "研发费用" in fields(answer) and "“很多”不是金额" in fields(answer)["研发费用"]
    assert {a["rule"] for a in answer["result"]["awards"]} == {"art19_top100"}  # 50万元, whatever 研发费用 is
    status, answer = service.post("/set/evaluate", {"地区": "柳河"})
    assert status == 422 and "地区" in fields(answer)


# ── batches ───────────────────────────────────────────────────────────────────
def multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(service: Service, path: Path, output: str = "csv") -> tuple[int, Any, dict[str, str]]:
    body, kind = multipart(path.name, path.read_bytes())
    return service.call("POST", f"/batch?output={output}", data=body, headers={"Content-Type": kind})


def test_a_batch_upload_gives_the_file_pol_batch_writes(service: Service, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    for source, output in ((EXAMPLES_DIR / "applications.csv", "csv"), (EXAMPLES_DIR / "applications.xlsx", "csv"),
                           (EXAMPLES_DIR / "applications.csv", "parquet")):
        status, content, headers = upload(service, source, output)
        assert status == 200, content
        target = tmp_path / f"{source.stem}.{output}"
        assert main(["batch", str(source), "-o", str(target), "--no-progress"]) == 0
        assert content == target.read_bytes(), (source.name, output)
        if source.suffix == ".csv":
            assert headers["x-pol-rows"] == "6" and headers["x-pol-bad-rows"] == "1"
            assert headers["x-pol-total"] == "1450000.00"  # README §2: 合计 1,450,000.00元


def test_a_batch_as_json_rows(service: Service) -> None:
    status, answer, _ = upload(service, EXAMPLES_DIR / "applications.csv", "json")
    assert status == 200
    assert answer["summary"]["rows"] == 6 and answer["summary"]["total"] == "1450000.00"
    assert [row["申请编号"] for row in answer["rows"]][:3] == ["A-001", "A-002", "A-003"]
    bad = [row for row in answer["rows"] if row["错误"]]
    assert len(bad) == 1 and "“很多”不是金额" in bad[0]["错误"]  # README §2: 第5行 字段“固定资产投资”
    assert any("第5行" in problem for problem in answer["summary"]["problems"])


def test_a_batch_that_cannot_be_read_is_422_naming_the_upload(service: Service, tmp_path: Path) -> None:
    sheet = tmp_path / "申请.xls"
    sheet.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    status, answer, _ = upload(service, sheet)
    assert status == 422
    [problem] = answer["detail"]
    assert problem["field"] == "file" and "申请.xls" in problem["msg"] and "/tmp" not in problem["msg"]
    status, answer, _ = upload(service, EXAMPLES_DIR / "applications.csv", "pdf")
    assert status == 422 and fields(answer)["output"].startswith("不支持的结果格式“pdf”")


def test_a_batch_upload_that_is_not_one_file_is_refused_in_chinese(service: Service) -> None:
    status, answer, _ = service.call("POST", "/batch", data=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data"})
    assert status == 400 and "multipart/form-data" in answer["detail"]
    status, answer, _ = service.call("POST", "/batch", body={"file": "applications.csv"})
    assert status == 422 and fields(answer)["file"].startswith("请以 multipart/form-data 上传申请表")


def test_a_batch_over_the_size_limit_is_refused_before_it_is_read(service: Service) -> None:
    host, port = service.address.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", "/batch")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(500 << 20))
    connection.endheaders()  # and never the 500 MB
    response = connection.getresponse()
    assert response.status == 413
    assert "文件过大" in json.loads(response.read())["detail"]
    connection.close()


# ── the description ───────────────────────────────────────────────────────────
def test_openapi_lists_every_rule_with_its_inputs(service: Service) -> None:
    status, document, _ = service.call("GET", "/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.1")
    components = document["components"]["schemas"]
    rules = [rule for stem in policy_stems() for rule in compiled_module(stem).rules]
    assert len(rules) > 90
    for rule in rules:
        for action in ("calculate", "explain"):
            operation = document["paths"][f"/rules/{rule.id}/{action}"]["post"]
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert body == {"$ref": f"#/components/schemas/{rule.id}"}
            assert "422" in operation["responses"]
        described = components[rule.id]
        assert described["required"] == [spec.name for spec in rule.inputs]
        for spec in rule.inputs:
            if spec.choices:
                assert described["properties"][spec.name]["enum"] == list(spec.choices)
    assert components["art24_investment"]["properties"]["固定资产投资"]["x-pol-units"] == ["元", "万元", "亿元"]
    example = document["paths"]["/rules/art24_investment/calculate"]["post"]["requestBody"]["content"]["application/json"]
    assert set(example["example"]) == {"非政府性资金投资", "固定资产投资", "实际投资额"}  # from the hand-computed examples
    assert "/set/evaluate" in document["paths"] and "/batch" in document["paths"]


def test_each_rules_example_in_the_document_fits_its_schema_and_calculates(service: Service) -> None:
    """What /docs offers to try: the example validates against the schema beside it, and the service
    computes it."""
    status, document, _ = service.call("GET", "/openapi.json")
    assert status == 200
    components = document["components"]["schemas"]
    tried = 0
    for path, item in document["paths"].items():
        if not path.endswith("/calculate"):
            continue
        content = item["post"]["requestBody"]["content"]["application/json"]
        described = components[content["schema"]["$ref"].rsplit("/", 1)[1]]
        Draft202012Validator.check_schema(described)
        if "example" in content:
            assert list(Draft202012Validator(described).iter_errors(content["example"])) == [], path
            assert service.post(path, content["example"])[0] == 200, path
            tried += 1
    assert tried == len({e.rule for e in EXAMPLES})  # every rule with an applicable hand-computed example


def test_the_schemas_served_are_those_pol_schema_prints(service: Service, capsys: pytest.CaptureFixture[str]) -> None:
    status, answer, _ = service.call("GET", "/schema/rules/art24_investment")
    assert status == 200
    assert answer == cli_json(["schema", "policies", "--clause", "art24_investment"], capsys)
    status, answer, _ = service.call("GET", "/schema/set")
    assert status == 200 and answer == cli_json(["schema", "policies", "--set"], capsys)


def test_the_listings_and_the_docs_page(service: Service) -> None:
    status, documents, _ = service.call("GET", "/policies")
    assert status == 200
    assert {d["document"] for d in documents} >= {"婺区政发〔2023〕6号"}
    wucheng = next(d for d in documents if d["document"] == "婺区政发〔2023〕6号")
    assert [r["rule"] for r in wucheng["rules"]] == [rule.id for rule in compiled_module("wucheng2023").rules]
    assert wucheng["validity"] == ["2023-01-01", "2023-12-31"]
    status, rule, _ = service.call("GET", "/rules/art24_investment")
    assert status == 200 and rule["inputs"][1] == {"name": "固定资产投资", "type": "金额", "choices": [], "description": None}
    status, page, headers = service.call("GET", "/docs")
    assert status == 200 and headers["content-type"].startswith("text/html") and b"openapi.json" in page


def test_pol_serve_refuses_a_bad_port_and_a_port_in_use(service: Service) -> None:
    bad = subprocess.run([*_pol(), "serve", "--port", "70000"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "端口应为 0–65535 的整数" in bad.stderr
    port = service.address.rsplit(":", 1)[1]
    env = {**os.environ}
    taken = subprocess.run([*_pol(), "serve", "policies", "--port", port], cwd=ROOT, capture_output=True, text=True,
                           timeout=STARTUP, env=env)
    assert taken.returncode == 1 and f"无法在 127.0.0.1:{port} 提供服务" in taken.stderr
    assert "Traceback" not in taken.stderr



def test_pol_serve_without_its_dependencies_says_what_to_install() -> None:
    script = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("fastapi", "uvicorn"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Missing())
from compiler.__main__ import main
sys.exit(main(["serve", "policies", "--port", "0"]))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == "error: pol serve 需要 fastapi 和 uvicorn（fastapi）：pip install 'pol[serve]'\n"
