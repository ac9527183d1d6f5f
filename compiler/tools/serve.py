"""``pol serve``: the calculators as an HTTP service (FastAPI on uvicorn), described by OpenAPI.

Every rule has its own paths, ``POST /rules/<id>/calculate`` and ``/explain``, whose request body
is the rule's JSON Schema (``schema.rule_schema``), so ``/openapi.json`` and ``/docs`` list each
rule's real inputs with their types, units and choices.  What each path answers is ``service.py``'s;
here are only the routes, the reading of request bodies and the errors: a bad or missing input is
HTTP 422 naming the field, an unknown rule 404, both in Chinese; nothing a caller sends gives a
traceback.  Only this module imports fastapi and uvicorn.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from .. import ir
from . import schema
from .service import BatchAnswer, Policies, Problem, Problems, UnknownRule, parse_json

MAX_BODY = 1 << 20  # bytes of JSON: a profile of every input of a hundred policies is a few kilobytes
MAX_UPLOAD = 20 << 20  # bytes of a batch file: about 200,000 applications in CSV
BATCHES = 2  # batches computed at once; more wait their turn, so that memory stays bounded
_MEDIA = {"csv": "text/csv; charset=utf-8",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "parquet": "application/vnd.apache.parquet"}
_JSON = "application/json"


class _App(FastAPI):
    """FastAPI, with each rule's operations and schema in the OpenAPI document.

    Requests for every rule go through one route per action (``/rules/{rule_id}/calculate``), since
    Starlette tries routes one by one and two hundred of them would cost a millisecond a request; the
    document, though, lists each rule's paths with its own request schema, as if each had its route.
    """

    def __init__(self, components: dict[str, dict[str, object]], operations: dict[str, dict[str, object]],
                 **options: Any) -> None:
        super().__init__(**options)
        self.components = components
        self.operations = operations

    def openapi(self) -> dict[str, Any]:
        document = super().openapi()
        document.setdefault("components", {}).setdefault("schemas", {}).update(self.components)
        document["paths"] = {**self.operations, **document["paths"]}
        return document


def _ref(name: str) -> dict[str, object]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_body(name: str, example: dict[str, object] | None = None) -> dict[str, object]:
    content: dict[str, object] = {"schema": _ref(name)}
    if example is not None:
        content["example"] = example
    return {"requestBody": {"required": True, "content": {_JSON: content}}}


def _answers(ok: str, extra: dict[int | str, dict[str, Any]] | None = None) -> dict[int | str, dict[str, Any]]:
    found: dict[int | str, dict[str, Any]] = {
        200: {"description": "结果", "content": {_JSON: {"schema": _ref(ok)}}},
        422: {"description": "输入有误：detail 中每项的 field 是有误的输入，msg 是中文说明",
              "content": {_JSON: {"schema": _ref("InputError")}}},
    }
    return found | (extra or {})


_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "没有这条规则"}}


def problem_response(problems: Problems) -> JSONResponse:
    detail = [{"loc": ["body", p.field] if p.field else ["body"], "field": p.field, "msg": p.message,
               "type": "pol_input"} for p in problems.problems]
    body: dict[str, object] = {"detail": detail}
    if problems.result is not None:
        body["result"] = problems.result
    return JSONResponse(body, status_code=422)


async def _body(request: Request) -> object:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, f"请求体过大（至多 {MAX_BODY // 1024} KB）")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise HTTPException(413, f"请求体过大（至多 {MAX_BODY // 1024} KB）")
    return parse_json(bytes(data))


def create_app(policies: Policies, max_upload: int = MAX_UPLOAD) -> FastAPI:
    from .cli import version

    components: dict[str, dict[str, object]] = {
        rule.id: schema.rule_schema(rule, module.document_number) for module, rule in policies.rules()}
    components |= {"Profile": schema.set_schema(policies.modules), "Result": schema.RESULT_SCHEMA,
                   "Explanation": schema.EXPLANATION_SCHEMA, "SetResult": schema.SET_RESULT_SCHEMA,
                   "InputError": schema.ERROR_SCHEMA}
    documents = "、".join(m.document_number or m.source_name for m in policies.modules)
    operations = {path: item for module, rule in policies.rules() for path, item in _operations(policies, module, rule)}
    app = _App(components, operations, title="pol 惠企政策计算服务", version=version(),
               description=f"按政策文件（{documents}）计算：每条规则一个地址，请求体即该规则的输入（见各规则的 Schema）；"
                           "金额在结果中一律为字符串（元），精确到规则规定的位数。"
                           "输入有误时返回 422，detail 列出每个有误的字段。")

    batches = asyncio.Semaphore(BATCHES)

    @app.exception_handler(Problems)
    async def _problems(request: Request, error: Exception) -> Response:
        assert isinstance(error, Problems)
        return problem_response(error)

    @app.exception_handler(UnknownRule)
    async def _unknown(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        text = {400: "上传的内容无法读取：请以 multipart/form-data 上传申请表，字段名为 file，一次一个文件",
                404: f"没有这个地址：{request.url.path}（可用的地址见 /docs）",
                405: f"{request.url.path} 不接受 {request.method} 请求"}.get(error.status_code, str(error.detail))
        return JSONResponse({"detail": text}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: Exception) -> Response:
        return problem_response(Problems([Problem(None, "请求有误：请对照 /docs 中该地址的说明")]))

    @app.exception_handler(Exception)
    async def _fault(request: Request, error: Exception) -> Response:
        return JSONResponse({"detail": f"pol 自身出错（{type(error).__name__}），结果不可信。请把请求和这条信息报告给维护者。"},
                            status_code=500)

    @app.get("/policies", summary="政策文件及其规则", tags=["政策"])
    async def documents_() -> list[dict[str, object]]:
        return policies.documents()

    @app.get("/rules", summary="全部规则", tags=["政策"])
    async def rules_() -> list[dict[str, object]]:
        return policies.rule_list()

    @app.get("/rules/{rule_id}", summary="一条规则：原文、解读和输入", tags=["政策"], responses=_NOT_FOUND)
    async def rule_(rule_id: str) -> dict[str, object]:
        return policies.rule_detail(rule_id)

    @app.get("/schema/rules/{rule_id}", summary="一条规则的输入的 JSON Schema（与 pol schema --clause 相同）",
             tags=["Schema"], responses=_NOT_FOUND)
    async def rule_schema_(rule_id: str) -> dict[str, object]:
        module, rule = policies.find(rule_id)
        return schema.standalone(schema.rule_schema(rule, module.document_number))

    @app.get("/schema/set", summary="企业情况的 JSON Schema（与 pol schema --set 相同）", tags=["Schema"])
    async def set_schema_() -> dict[str, object]:
        return schema.standalone(schema.set_schema(policies.modules))

    @app.post("/rules/{rule_id}/calculate", include_in_schema=False)
    async def calculate(rule_id: str, request: Request) -> Response:
        return JSONResponse(policies.calculate(rule_id, await _body(request)))

    @app.post("/rules/{rule_id}/explain", include_in_schema=False)
    async def explain(rule_id: str, request: Request) -> Response:
        return JSONResponse(policies.explain(rule_id, await _body(request)))

    @app.post("/set/evaluate", summary="按整套政策计算一家企业（与 pol calc --set --json 相同）", tags=["整套政策"],
              openapi_extra=_json_body("Profile"),
              responses=_answers("SetResult", {422: {"description": "有误的信息：detail 列出字段和原因，"
                                                                   "result 是其余信息的计算结果",
                                                    "content": {_JSON: {"schema": _ref("InputError")}}}}))
    async def evaluate(request: Request) -> Response:
        return JSONResponse(policies.evaluate(await _body(request)))

    @app.post("/batch", summary="批量计算申请表（与 pol batch 相同）", tags=["整套政策"],
              openapi_extra=_upload(max_upload), responses=_batch_answers())
    async def batch_(request: Request) -> Response:
        output = request.query_params.get("output", "csv")
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit():
            raise HTTPException(411, "请求须注明长度（Content-Length）")
        if int(declared) > max_upload:
            raise HTTPException(413, f"文件过大（至多 {max_upload >> 20} MB）；请分成几个文件上传")
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise Problems([Problem("file", "请以 multipart/form-data 上传申请表，字段名为 file")])
            data = await upload.read()
            name = upload.filename or ""
        async with batches:
            answer: BatchAnswer = await run_in_threadpool(policies.batch, name, data, output)
        if answer.rows is not None:
            return JSONResponse({"summary": answer.summary, "rows": answer.rows})
        assert answer.content is not None
        return Response(answer.content, media_type=_MEDIA[output], headers={
            "Content-Disposition": f'attachment; filename="results.{output}"',
            "X-Pol-Rows": str(answer.summary["rows"]), "X-Pol-Bad-Rows": str(answer.summary["bad_rows"]),
            "X-Pol-Total": str(answer.summary["total"])})

    return app


def _operations(policies: Policies, module: ir.Module, rule: ir.Rule) -> list[tuple[str, dict[str, object]]]:
    """The paths of ``rule`` in the OpenAPI document, its hand-computed example as the request's."""
    summary = f"{rule.article_text} {rule.title}"
    description = "\n\n".join([f"原文：{quote}" for quote in rule.quotes] + [f"解读：{r}" for r in rule.readings])
    found: list[tuple[str, dict[str, object]]] = []
    for action, ok, what in (("calculate", "Result", "计算"), ("explain", "Explanation", "说明")):
        responses = {str(code): answer for code, answer in (_answers(ok) | _NOT_FOUND).items()}
        found.append((f"/rules/{rule.id}/{action}", {"post": {
            "tags": [module.document_number or module.module_name],
            "summary": f"{what}：{summary}",
            "description": description,
            "operationId": f"{action}_{rule.id}",
            **_json_body(rule.id, policies.examples.get(rule.id)),
            "responses": responses,
        }}))
    return found


def _upload(max_upload: int) -> dict[str, object]:
    return {
        "parameters": [{"name": "output", "in": "query", "required": False,
                        "description": "结果格式：csv（默认）、xlsx、parquet 为结果文件，json 为结果各行",
                        "schema": {"type": "string", "enum": ["csv", "xlsx", "parquet", "json"], "default": "csv"}}],
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {
                "type": "string", "format": "binary", "contentMediaType": "application/octet-stream",
                "description": f"申请表：.csv、.txt、.tsv、.xlsx 或 .parquet，至多 {max_upload >> 20} MB"}}}}}},
    }


def _batch_answers() -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": "结果文件（X-Pol-Rows、X-Pol-Bad-Rows、X-Pol-Total 为行数、有误行数、合计金额），"
                             "或 output=json 时的 summary 与 rows",
              "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in _MEDIA.values()}
              | {_JSON: {"schema": {"type": "object"}}}},
        411: {"description": "未注明请求长度"},
        413: {"description": "文件过大"},
        422: {"description": "文件无法读取，或格式不支持", "content": {_JSON: {"schema": _ref("InputError")}}},
    }


def serve(policies: Policies, host: str, port: int, started: Callable[[str], None],
          max_upload: int = MAX_UPLOAD) -> None:
    """Answer on ``host:port`` until SIGINT or SIGTERM, then return; ``started`` is told the address
    once the socket listens (port 0: a free one)."""
    import uvicorn

    app = create_app(policies, max_upload)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP by name: asyncio then sets TCP_NODELAY
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(128)
    except BaseException:
        listener.close()
        raise
    bound = listener.getsockname()[1]
    started(f"http://[{host}]:{bound}" if family == socket.AF_INET6 else f"http://{host}:{bound}")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    # uvicorn raises the signal that stopped it again once it has shut down; ignored here, so that a
    # stopped service returns like any finished command instead of dying of it.
    held = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[listener])
    finally:
        for number, handler in held.items():
            signal.signal(number, handler)
        listener.close()

