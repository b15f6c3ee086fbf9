"""Searching the record: quotes, questions, sources (titles and archived texts), speakers and
outlets, ranked by each database's full-text ranking, filtered, a page at a time, each result
with a marked snippet and the address of its page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from tracker.db import UTCDateTime
from tracker.errors import Invalid
from tracker.models import KINDS, SEARCH_KINDS, STATUSES
from tracker.search import pairs, snippets
from tracker.search.query import Query
from tracker.text import slugify

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Deep pages of a ranking cost what all the pages before them do: a search is narrowed, not
# paged through to its thousandth page.
MAX_OFFSET = 1000
# A query that matches more entries than this ranks the first this many it finds (in the
# index's order) and pages through those: ranking every match of a word found in most of the
# record would cost what reading the record does. More words or a filter narrow it.
RANKED_AT_MOST = 500
# A source's text is looked through for its snippet this many characters at a time.
SNIPPET_WINDOW = 40_000
# Field weights. PostgreSQL: ts_rank's {D, C, B, A}; SQLite: bm25's per column (title,
# people, body). Both put a match in a title above one in the people, above one in a text.
_TS_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"
_BM25 = "bm25(search_fts, 10.0, 4.0, 1.0)"


@dataclass(frozen=True)
class Filters:
    """What SPEC's search filters keep: a claim that matches them all, and a question, source
    or speaker with such a claim. A source matches `outlet`, `from` and `to` by itself (its
    publication date); a claim's date is its source's."""

    type: str | None = None
    status: str | None = None
    kind: str | None = None
    speaker: str | None = None
    outlet: str | None = None
    tag: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def check(self) -> Filters:
        if self.type is not None and self.type not in SEARCH_KINDS:
            raise Invalid(f"type must be one of {', '.join(SEARCH_KINDS)}", {"type": "unknown"})
        if self.status is not None and self.status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}", {"status": "unknown"})
        if self.kind is not None and self.kind not in KINDS:
            raise Invalid(f"kind must be one of {', '.join(KINDS)}", {"kind": "unknown"})
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise Invalid("from must not be after to", {"from": "after to", "to": "before from"})
        return self


@dataclass(frozen=True)
class Hit:
    type: str
    id: int
    title: str
    snippet: Markup
    path: str  # the page's address on this site: /claims/3, /speakers/jane-doe
    rank: float
    context: str  # for people: whose, where and when


@dataclass(frozen=True)
class Page:
    hits: Sequence[Hit]
    has_more: bool
    offset: int


def _filters_sql(filters: Filters, now: dt.datetime) -> tuple[str, list[Any]]:
    """SQL conditions on the entry `e` for the filters, with their bound parameters."""
    claim: list[str] = []
    source: list[str] = []
    params: list[Any] = []
    if filters.status == "due":
        claim.append("c.status = 'open' AND c.deadline_at <= :f_now")
    elif filters.status == "open":
        claim.append("c.status = 'open' AND (c.deadline_at IS NULL OR c.deadline_at > :f_now)")
    elif filters.status is not None:
        claim.append("c.status = :f_status")
        params.append(bindparam("f_status", filters.status))
    if filters.status in ("due", "open"):
        params.append(bindparam("f_now", now, type_=UTCDateTime()))
    if filters.kind is not None:
        claim.append("c.kind = :f_kind")
        params.append(bindparam("f_kind", filters.kind))
    if filters.speaker is not None:
        claim.append("c.speaker_id IN (SELECT id FROM speakers WHERE slug IN (:f_sp, :f_sp2))")
        params += [bindparam("f_sp", filters.speaker), bindparam("f_sp2", slugify(filters.speaker))]
    if filters.tag is not None:
        claim.append(
            "EXISTS (SELECT 1 FROM claim_tags t WHERE t.claim_id = c.id AND t.tag = :f_tag)"
        )
        params.append(bindparam("f_tag", slugify(filters.tag)))
    if filters.outlet is not None:
        source.append("s.outlet_slug = :f_outlet")
        params.append(bindparam("f_outlet", slugify(filters.outlet)))
    if filters.date_from is not None:
        source.append("s.published_at >= :f_from")
        start = dt.datetime.combine(filters.date_from, dt.time(), dt.UTC)
        params.append(bindparam("f_from", start, type_=UTCDateTime()))
    if filters.date_to is not None:
        source.append("s.published_at < :f_to")
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        params.append(bindparam("f_to", end, type_=UTCDateTime()))
    conditions = []
    if filters.type is not None:
        conditions.append("e.kind = :f_type")
        params.append(bindparam("f_type", filters.type))
    if claim or source:
        every = " AND ".join(claim + source)
        linked = "SELECT 1 FROM claims c JOIN sources s ON s.id = c.source_id WHERE {} AND " + every
        own = " AND ".join(source) or "1 = 1"
        of_source = f"EXISTS (SELECT 1 FROM sources s WHERE s.id = e.entity_id AND {own})" + (
            " AND EXISTS (SELECT 1 FROM claims c WHERE c.source_id = e.entity_id AND "
            + " AND ".join(claim)
            + ")"
            if claim
            else ""
        )
        conditions.append(
            "CASE e.kind"
            f" WHEN 'claim' THEN EXISTS ({linked.format('c.id = e.entity_id')})"
            f" WHEN 'question' THEN EXISTS ({linked.format('c.question_id = e.entity_id')})"
            f" WHEN 'speaker' THEN EXISTS ({linked.format('c.speaker_id = e.entity_id')})"
            f" ELSE {of_source} END"
        )
    return "".join(f" AND {c}" for c in conditions), params


def _pairs_sql(session: Session, query: Query, params: list[Any]) -> str:
    """PostgreSQL: that an entry has every pair of words of the query's phrases, which the
    index of pairs answers without reading the entries (see tracker.search.pairs); "" when
    no phrase has a pair."""
    phrases = query.ts_phrases()
    if not phrases:
        return ""
    columns = ", ".join(f"CAST(to_tsquery('english', :phrase_{i}) AS text)" for i in
                        range(len(phrases)))  # fmt: skip
    written = session.execute(
        text(f"SELECT {columns}"), {f"phrase_{i}": p for i, p in enumerate(phrases)}
    ).one()
    conditions = ""
    for i, vector in enumerate(v for v in map(pairs.phrase_vector, written) if v is not None):
        conditions += (
            f" AND search_pair_keys(e.document) @> search_pair_keys(CAST(:pairs_{i} AS tsvector))"
        )
        params.append(bindparam(f"pairs_{i}", vector))
    return conditions


def _ranked(
    session: Session, query: Query, filters: Filters, now: dt.datetime, offset: int, limit: int
) -> list[tuple[str, int, float]]:
    where, params = _filters_sql(filters, now)
    if session.get_bind().dialect.name == "postgresql":
        paired = _pairs_sql(session, query, params)
        # A phrase with pairs: its entries come from the index of pairs alone, and the query is
        # checked on those as a filter. @@'s function form keeps the planner from also reading
        # the index of words, whose lists for a phrase's common words cost more than the rest.
        matches = "ts_match_vq(e.document, q.query)" if paired else "e.document @@ q.query"
        where = paired + where
        # Ranked by what is looked for: ts_rank scores a query with a NOT as 0.
        sql = (
            "WITH q AS (SELECT to_tsquery('english', :match) AS query,"
            " to_tsquery('english', :ranking) AS ranking),"
            " m AS MATERIALIZED (SELECT e.kind, e.entity_id,"
            f" ts_rank({_TS_WEIGHTS}, e.document, q.ranking, 1) AS score"
            f" FROM search_entries e, q WHERE {matches}{where} LIMIT :ranked)"
        )
        match, ranking = query.tsquery(), query.tsquery(included_only=True)
    else:
        # MATERIALIZED: bm25() is only allowed in the FTS5 query itself, not in the
        # aggregate that SQLite would otherwise fold it into.
        sql = (
            f"WITH m AS MATERIALIZED (SELECT e.kind, e.entity_id, -{_BM25} AS score"
            " FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid"
            f" WHERE search_fts MATCH :match{where} LIMIT :ranked)"
        )
        match = ranking = query.fts5()
    sql += " SELECT m.kind AS kind, m.entity_id AS entity_id, max(m.score) AS rank FROM m"
    sql += (
        " GROUP BY m.kind, m.entity_id ORDER BY rank DESC, m.kind, m.entity_id"
        " LIMIT :limit OFFSET :offset"
    )
    statement = text(sql).bindparams(*params)
    values = {"match": match, "ranking": ranking, "limit": limit, "offset": offset,
              "ranked": RANKED_AT_MOST}  # fmt: skip
    rows = session.execute(statement, values)
    return [(kind, int(entity_id), float(rank)) for kind, entity_id, rank in rows]


def search(
    session: Session,
    query: Query,
    filters: Filters,
    *,
    now: dt.datetime,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of what matches `query` and the filters, best first."""
    filters.check()
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise Invalid(f"limit must be from 1 to {MAX_PAGE_SIZE}", {"limit": "out of range"})
    if not 0 <= offset <= MAX_OFFSET:
        raise Invalid(
            f"results go {MAX_OFFSET} deep at most: narrow the search with more words or a filter",
            {"cursor": "too deep"},
        )
    ranked = _ranked(session, query, filters, now, offset, limit + 1)
    page = ranked[:limit]
    hits = _hits(session, query, page)
    return Page(hits, len(ranked) > limit, offset)


def _ids(page: list[tuple[str, int, float]], kind: str) -> list[int]:
    return [entity_id for k, entity_id, _ in page if k == kind]


def _fetch(session: Session, sql: str, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    return {row[0]: row for row in session.execute(statement, {"ids": ids})}


def _snippet(query: Query, *texts: str | None) -> Markup:
    for value in texts:
        if value:
            marked = snippets.highlight(value, query)
            if marked is not None:
                return marked
    return snippets.excerpt(next((t for t in texts if t), ""))


def _source_snippet(query: Query, title: str, body: str) -> Markup:
    # A long text is looked through SNIPPET_WINDOW characters at a time (each with what
    # follows it, so a snippet near its end is not cut there), up to the first that matches.
    start = 0
    while start < len(body):
        marked = snippets.highlight(body[start : start + SNIPPET_WINDOW + snippets.WIDTH], query)
        if marked is not None:
            cut = start > 0 and not marked.startswith("…")
            return Markup("…") + marked if cut else marked
        space = body.find(" ", start + SNIPPET_WINDOW)
        if space < 0:
            break
        start = space + 1
    return _snippet(query, title) if snippets.highlight(title, query) else snippets.excerpt(body)


def _date(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:10]
    return f"{value:%Y-%m-%d}"


def _shorten(value: str, width: int = 160) -> str:
    if len(value) <= width:
        return value
    end = value.rfind(" ", 0, width)
    return value[: end if end > 0 else width] + "…"


def _hits(session: Session, query: Query, page: list[tuple[str, int, float]]) -> list[Hit]:
    claims = _fetch(
        session,
        "SELECT c.id, c.quote, c.question, sp.name, s.outlet, s.published_at, c.kind"
        " FROM claims c JOIN sources s ON s.id = c.source_id"
        " LEFT JOIN speakers sp ON sp.id = c.speaker_id WHERE c.id IN :ids",
        _ids(page, "claim"),
    )
    questions = _fetch(
        session,
        "SELECT id, text, resolution_criteria, kind, deadline_at FROM questions WHERE id IN :ids",
        _ids(page, "question"),
    )
    sources = _fetch(
        session,
        "SELECT id, title, outlet, author, published_at, text FROM sources WHERE id IN :ids",
        _ids(page, "source"),
    )
    speakers = _fetch(
        session,
        "SELECT sp.id, sp.name, sp.slug, sp.kind,"
        " (SELECT count(*) FROM claims c WHERE c.speaker_id = sp.id)"
        " FROM speakers sp WHERE sp.id IN :ids",
        _ids(page, "speaker"),
    )
    hits = []
    for kind, entity_id, rank in page:
        if kind == "claim" and entity_id in claims:
            _, quote, question, speaker, outlet, published, claim_kind = claims[entity_id]
            context = " · ".join(x for x in (claim_kind, speaker, outlet, _date(published)) if x)
            snippet = _snippet(query, quote, question, speaker, outlet)
            hits.append(Hit(kind, entity_id, _shorten(quote), snippet, f"/claims/{entity_id}",
                            rank, context))  # fmt: skip
        elif kind == "question" and entity_id in questions:
            _, wording, criteria, question_kind, deadline = questions[entity_id]
            context = f"{question_kind} question" + (
                f" · deadline {_date(deadline)}" if deadline else ""
            )
            snippet = _snippet(query, wording, criteria)
            hits.append(Hit(kind, entity_id, _shorten(wording), snippet,
                            f"/questions/{entity_id}", rank, context))  # fmt: skip
        elif kind == "source" and entity_id in sources:
            _, title, outlet, author, published, body = sources[entity_id]
            context = " · ".join(x for x in (outlet, author, _date(published)) if x)
            snippet = _source_snippet(query, title, body)
            hits.append(Hit(kind, entity_id, title, snippet, f"/sources/{entity_id}", rank,
                            context))  # fmt: skip
        elif kind == "speaker" and entity_id in speakers:
            _, name, slug, speaker_kind, count = speakers[entity_id]
            noun = "claim" if count == 1 else "claims"
            context = f"{speaker_kind} · {count} {noun}"
            hits.append(Hit(kind, entity_id, name, _snippet(query, name), f"/speakers/{slug}",
                            rank, context))  # fmt: skip
    return hits
