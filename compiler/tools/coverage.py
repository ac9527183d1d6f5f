"""How much of a policy document is encoded: articles recorded, clauses encoded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import ir


@dataclass(frozen=True)
class Coverage:
    document: str
    files: tuple[str, ...]
    articles_total: int
    articles_recorded: int
    clauses_computable: int
    clauses_encoded: int
    missing_articles: tuple[int, ...]
    not_computable: tuple[tuple[str, str], ...]  # (第X条, reason)
    pending: tuple[tuple[str, str], ...]  # (第X条, clause not yet encoded)

    @property
    def complete(self) -> bool:
        return not self.missing_articles and self.clauses_encoded == self.clauses_computable

    def to_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "files": list(self.files),
            "articles_total": self.articles_total,
            "articles_recorded": self.articles_recorded,
            "clauses_computable": self.clauses_computable,
            "clauses_encoded": self.clauses_encoded,
            "missing_articles": list(self.missing_articles),
            "not_computable": [{"article": a, "reason": r} for a, r in self.not_computable],
            "pending": [{"article": a, "clause": c} for a, c in self.pending],
            "complete": self.complete,
        }

    def render(self) -> str:
        lines = [
            f"{self.document}（{'、'.join(self.files)}）",
            f"  条文：已记录 {self.articles_recorded} / {self.articles_total} 条",
            f"  可计算条款：已编码 {self.clauses_encoded} / {self.clauses_computable} 项",
        ]
        if self.missing_articles:
            lines.append("  未记录的条：" + "、".join(f"第{n}条" for n in self.missing_articles))
        for article, clause in self.pending:
            lines.append(f"  未编码：{article} {clause}")
        if self.not_computable:
            lines.append("  不产生金额的条：")
            lines += [f"    {article}：{reason}" for article, reason in self.not_computable]
        return "\n".join(lines)


def measure(modules: Iterable[ir.Module]) -> list[Coverage]:
    """One coverage report per document, over all the files that encode it."""
    by_document: dict[str, list[ir.Module]] = {}
    for module in modules:
        by_document.setdefault(module.document_number or module.source_name, []).append(module)
    reports = []
    for document, parts in sorted(by_document.items()):
        articles = [a for m in parts for a in m.articles]
        recorded = {a.number for a in articles if a.recorded}
        total = set().union(*(set(m.original_articles) for m in parts)) or {a.number for a in articles}
        rules = sum(len(m.rules) for m in parts)
        pending = tuple((a.text, clause) for a in articles for clause in a.pending)
        reports.append(Coverage(
            document=document,
            files=tuple(m.source_name for m in parts),
            articles_total=len(total),
            articles_recorded=len(recorded & total),
            clauses_computable=rules + len(pending),
            clauses_encoded=rules,
            missing_articles=tuple(sorted(total - recorded)),
            not_computable=tuple((a.text, a.not_computable) for a in sorted(articles, key=lambda a: a.number)
                                 if a.not_computable and not a.rules),
            pending=pending,
        ))
    return reports
