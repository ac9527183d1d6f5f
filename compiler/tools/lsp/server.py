"""The pygls server behind ``pol lsp``: the protocol on stdin and stdout, the answers from ``analysis``.

Each text the editor opens or changes (full sync) is compiled as ``pol check`` compiles
it with the other files of its folder (``analysis.diagnostics``), once typing pauses, and
its diagnostics are published with the same codes, messages and ranges (help and notes
as related information at the same place).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from ...front.codes import Severity
from ...front.diagnostics import Diagnostic
from ...front.source import Source, Span
from ..cli import version
from ..policy_files import display_name
from . import positions
from .analysis import Analysis, Symbol, diagnostics, formatted, outline

DEBOUNCE = 0.1  # seconds
_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
             Severity.INFO: types.DiagnosticSeverity.Information}
_SYMBOL_KIND = {"section": types.SymbolKind.Namespace, "article": types.SymbolKind.Module,
                "rule": types.SymbolKind.Function}
_COMPLETION_KIND = {"input": types.CompletionItemKind.Variable, "choice": types.CompletionItemKind.EnumMember,
                    "keyword": types.CompletionItemKind.Keyword}


class PolServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("pol", version(), text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.analyses: dict[str, tuple[int | None, Analysis]] = {}

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or positions.UTF16)

    def analysis(self, uri: str) -> Analysis:
        """The analysis of the document's current text (made once per version)."""
        document = self.workspace.get_text_document(uri)
        cached = self.analyses.get(uri)
        if cached is not None and cached[0] == document.version and cached[1].source.text == _lf(document.source):
            return cached[1]
        path = to_fs_path(uri)
        where = Path(path) if path else None
        source = Source(display_name(where) if where else uri, document.source, where)
        analysis = Analysis(source)
        self.analyses[uri] = (document.version, analysis)
        return analysis

    def offset(self, uri: str, position: types.Position) -> tuple[Analysis, int]:
        analysis = self.analysis(uri)
        return analysis, positions.to_offset(analysis.source.lines, position, self.encoding)

    def range(self, analysis: Analysis, span: Span) -> types.Range:
        return positions.span_to_range(analysis.source.lines, span, self.encoding)

    def publish(self, uri: str) -> None:
        analysis = self.analysis(uri)
        try:
            found = [self.diagnostic(uri, analysis, d) for d in diagnostics(analysis.source)]
        except Exception as error:  # a bug in pol, not the drafter's mistake: said as pol check says it
            message = (f"pol 自身出错（{type(error).__name__}: {error}），检查结果不可信。"
                       "请把这个文件和这条信息报告给维护者。")
            start = types.Position(line=0, character=0)
            found = [types.Diagnostic(range=types.Range(start=start, end=start), message=message,
                                      severity=types.DiagnosticSeverity.Error, source="pol")]
        version = self.workspace.get_text_document(uri).version
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=version))

    def diagnostic(self, uri: str, analysis: Analysis, diagnostic: Diagnostic) -> types.Diagnostic:
        where = self.range(analysis, diagnostic.span)
        related = [types.DiagnosticRelatedInformation(types.Location(uri, where), f"note: {note}") for note in diagnostic.notes]
        if diagnostic.help:
            related.append(types.DiagnosticRelatedInformation(types.Location(uri, where), f"help: {diagnostic.help}"))
        return types.Diagnostic(range=where, message=diagnostic.message, severity=_SEVERITY[diagnostic.severity],
                                code=diagnostic.code.id, source="pol", related_information=related or None)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


server = PolServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: PolServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: PolServer, params: types.DidChangeTextDocumentParams) -> None:
    # While the drafter types, only the text they paused on is compiled: a change that a newer one follows
    # within DEBOUNCE seconds is not (compiling a 700-line policy takes about 0.2 s).
    await asyncio.sleep(DEBOUNCE)
    uri = params.text_document.uri
    if uri in ls.workspace.text_documents and ls.workspace.get_text_document(uri).version == params.text_document.version:
        ls.publish(uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: PolServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.analyses.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: PolServer, params: types.HoverParams) -> types.Hover | None:
    analysis, offset = ls.offset(params.text_document.uri, params.position)
    answer = analysis.hover(offset)
    if answer is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=answer.text),
                       range=ls.range(analysis, answer.span))


@server.feature(types.TEXT_DOCUMENT_COMPLETION)
def completion(ls: PolServer, params: types.CompletionParams) -> types.CompletionList:
    analysis, offset = ls.offset(params.text_document.uri, params.position)
    items = [types.CompletionItem(label=item.label, kind=_COMPLETION_KIND[item.kind], detail=item.detail,
                                  sort_text=f"{0 if item.first else 1}{index:05d}", preselect=item.first or None)
             for index, item in enumerate(analysis.completion(offset))]
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: PolServer, params: types.DefinitionParams) -> types.Location | None:
    analysis, offset = ls.offset(params.text_document.uri, params.position)
    span = analysis.definition(offset)
    return types.Location(params.text_document.uri, ls.range(analysis, span)) if span else None


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: PolServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis.document is None:
        return None

    def convert(symbol: Symbol) -> types.DocumentSymbol:
        return types.DocumentSymbol(name=symbol.name, detail=symbol.detail or None, kind=_SYMBOL_KIND[symbol.kind],
                                    range=ls.range(analysis, symbol.span),
                                    selection_range=ls.range(analysis, symbol.header),
                                    children=[convert(child) for child in symbol.children] or None)

    return [convert(symbol) for symbol in outline(analysis.document, analysis.source)]


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: PolServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    analysis = ls.analysis(params.text_document.uri)
    text = formatted(analysis.source)
    if text is None:
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Warning, "文件有错误，未格式化（见问题列表）"))
        return None
    current = ls.workspace.get_text_document(params.text_document.uri).source
    if text == current:
        return []
    lines = analysis.source.lines  # the editor's lines, whatever their line ends
    end = types.Position(line=len(lines) - 1, character=positions.units(lines[-1], ls.encoding))
    return [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=text)]


def run() -> int:
    """Serve on stdin and stdout until the editor says exit."""
    server.start_io()
    return 0
