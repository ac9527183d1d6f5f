"""How many calculations ``pol serve`` answers per second on loopback, and how long each takes.

``pol serve policies`` is started as a process on 127.0.0.1 (a free port); ``--clients`` threads,
each with its own keep-alive connection, post calculations of art. 24 of 婺区政发〔2023〕6号
(旅游项目投资补助: 1% of the investment from 1000万元 on, at most 50万元) for ``--seconds``
seconds, over a mix of cases (below the threshold, at it, between it and the cap, on a half fen,
above the cap).  Every answer's amount is checked against the generated calculator.

Reported: requests per second, latency p50 and p99 (milliseconds), and the same mix in-process in
the same run, on one thread: the service's own answer without HTTP (``service.Policies.calculate``:
reading the JSON values, the calculation with its steps, the JSON result) and the generated
calculator ``generated.wucheng2023.art24_investment`` called with typed values; the ratios say
what HTTP and the reading of values cost.  Bounded: loopback only, a few seconds, the service is
stopped at the end.  Exits 0 whatever the speed; non-zero if an answer is wrong or a request fails.

Run from the repository root: ``.venv/bin/python benchmarks/serve_load.py`` (``--clients N``,
``--seconds S``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.tools.build import compile_all  # noqa: E402
from compiler.tools.service import Policies, read_inputs  # noqa: E402
from generated import wucheng2023  # noqa: E402

RULE = "art24_investment"
CASES = [  # 非政府性资金投资, 固定资产投资, 实际投资额
    {"非政府性资金投资": "是", "固定资产投资": "999.99万元", "实际投资额": "999.99万元"},
    {"非政府性资金投资": "是", "固定资产投资": "1000万元", "实际投资额": "1000万元"},
    {"非政府性资金投资": "是", "固定资产投资": "3000万元", "实际投资额": "2345.6789万元"},
    {"非政府性资金投资": "是", "固定资产投资": "2000万元", "实际投资额": "12345678.50"},
    {"非政府性资金投资": "是", "固定资产投资": "8000万元", "实际投资额": "8000万元"},
    {"非政府性资金投资": "否", "固定资产投资": "8000万元", "实际投资额": "8000万元"},
]


def start() -> tuple[subprocess.Popen[str], str, int]:
    pol = Path(sys.executable).parent / "pol"
    command = [str(pol)] if pol.exists() else [sys.executable, "-m", "compiler"]
    process = subprocess.Popen([*command, "serve", "policies", "--host", "127.0.0.1", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True, encoding="utf-8")
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://(127\.0\.0\.1):(\d+)", line)
    if match is None:
        process.kill()
        raise SystemExit(f"pol serve did not start: {line!r}")
    host, port = match.group(1), int(match.group(2))
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = http.client.HTTPConnection(host, port, timeout=5)
            connection.request("GET", "/rules")
            if connection.getresponse().status == 200:
                connection.close()
                return process, host, port
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)


def client(host: str, port: int, until: float, expected: list[str], latencies: list[float], failures: list[str],
           offset: int) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    bodies = [json.dumps(case, ensure_ascii=False).encode() for case in CASES]
    headers = {"Content-Type": "application/json"}
    index = offset
    while time.perf_counter() < until:
        which = index % len(CASES)
        began = time.perf_counter()
        try:
            connection.request("POST", f"/rules/{RULE}/calculate", bodies[which], headers)
            response = connection.getresponse()
            answer = json.loads(response.read())
        except (OSError, http.client.HTTPException, ValueError) as error:
            failures.append(f"{type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=30)
            continue
        latencies.append(time.perf_counter() - began)
        if response.status != 200 or answer.get("amount") != expected[which]:
            failures.append(f"case {which}: HTTP {response.status} {answer}")
        index += 1
    connection.close()


def in_process(call: object, arguments: list[dict[str, object]], seconds: float) -> float:
    """Calls per second of ``call`` over ``arguments`` in turn, on this thread."""
    assert callable(call)
    calls = 0
    until = time.perf_counter() + seconds
    began = time.perf_counter()
    while time.perf_counter() < until:
        for kwargs in arguments:
            call(**kwargs)
        calls += len(arguments)
    return calls / (time.perf_counter() - began)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (threads), default 4")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long they post, default 3")
    args = parser.parse_args()
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 60:
        parser.error("--clients 1–64, --seconds up to 60: the load stays small")

    [unit] = [u for u in compile_all([ROOT / "policies" / "wucheng2023.pol"]) if u.module]
    assert unit.module is not None
    rule = next(r for r in unit.module.rules if r.id == RULE)
    typed = [read_inputs(rule, case) for case in CASES]
    expected = [f"{wucheng2023.art24_investment(**values).amount:f}" for values in typed]  # type: ignore[arg-type]
    if expected[1] != "100000.00" or expected[4] != "500000.00":  # 1000万 × 1%; 8000万 × 1% capped at 50万
        raise SystemExit(f"the generated calculator gives {expected}")

    process, host, port = start()
    latencies: list[float] = []
    failures: list[str] = []
    try:
        until = time.perf_counter() + args.seconds
        threads = [threading.Thread(target=client, args=(host, port, until, expected, latencies, failures, i))
                   for i in range(args.clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    policies = Policies([unit.module])
    service_rate = in_process(policies.calculate, [{"rule_id": RULE, "body": case} for case in CASES], args.seconds / 2)
    generated_rate = in_process(wucheng2023.art24_investment, typed, args.seconds / 2)

    served = len(latencies) / elapsed
    print(f"pol serve, {args.clients} clients over loopback for {elapsed:.1f} s: {len(latencies)} requests, "
          f"{served:,.0f} requests/s")
    if latencies:
        print(f"  latency p50 {percentile(latencies, 0.50) * 1000:.2f} ms, p99 {percentile(latencies, 0.99) * 1000:.2f} ms, "
              f"mean {statistics.fmean(latencies) * 1000:.2f} ms")
    print(f"in process, one thread: the service's answer without HTTP {service_rate:,.0f} calls/s; "
          f"the generated calculator {generated_rate:,.0f} calls/s")
    if served:
        print(f"  generated calculator / service over HTTP: {generated_rate / served:,.1f}×; "
              f"service without HTTP / over HTTP: {service_rate / served:,.1f}×")
    if failures:
        print(f"{len(failures)} requests failed or were wrong, e.g. {failures[0]}", file=sys.stderr)
        return 1
    return 0 if process.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
