"""The shared backend for several app servers: PostgreSQL full-text search.

``search_listings`` holds one row per published listing (created by migration 0004 on PostgreSQL
only): a weighted ``tsvector`` (title A, summary B, keywords and description C) under a GIN index
for matching, a small one without the description (``head``) for ranking,
and the filter columns (arrays under GIN indexes). The ``marketplace_english`` text search
configuration folds accents (``unaccent``) before English stemming. Queries combine
``websearch_to_tsquery`` (words, phrases) and ``to_tsquery(... ':*')`` (prefixes), rank with
``ts_rank_cd`` and excerpt with ``ts_headline``. One statement returns the page, the total and
every facet (each counted under the other filters). "Did you mean" uses ``pg_trgm`` similarity
over ``search_words``, the vocabulary of titles, summaries and keywords. Rows are written in the
caller's transaction (the outbox drain), so the index commits with the drain; a rebuild
commits batch by batch on parallel connections.
"""

from __future__ import annotations

import html
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import sqlalchemy as sa

from marketplace.search.backends import Hit, SearchResult
from marketplace.search.query import FACETS, Clause, SearchQuery

CONFIG = "marketplace_english"
TABLE = "search_listings"
WORDS = "search_words"

_KEYWORDS_TEXT = "(SELECT string_agg(k, ' ') FROM json_array_elements_text(l.keywords) AS k)"

_UPSERT = f"""
INSERT INTO {TABLE} (listing_id, version, document, head, fields, trl, opportunity_types, ip_kinds,
                     university_id, country, has_express_license, published_at)
SELECT l.id, l.version, h.head || setweight(to_tsvector('{CONFIG}', coalesce(l.description, '')), 'C'), h.head,
       coalesce((SELECT array_agg(DISTINCT c ORDER BY c) FROM listing_fields AS lf,
                        unnest(ARRAY[lf.code, split_part(lf.code, '.', 1)]) AS c
                 WHERE lf.listing_id = l.id), '{{}}'),
       l.trl,
       coalesce((SELECT array_agg(t ORDER BY t) FROM json_array_elements_text(l.opportunity_types) AS t), '{{}}'),
       coalesce((SELECT array_agg(DISTINCT a.kind ORDER BY a.kind) FROM listing_assets AS la
                 JOIN ip_assets AS a ON a.id = la.asset_id WHERE la.listing_id = l.id), '{{}}'),
       l.university_id, o.country,
       EXISTS (SELECT 1 FROM express_licenses AS e WHERE e.listing_id = l.id AND e.is_active),
       l.published_at
FROM listings AS l JOIN organizations AS o ON o.id = l.university_id
CROSS JOIN LATERAL (
    SELECT setweight(to_tsvector('{CONFIG}', l.title), 'A')
           || setweight(to_tsvector('{CONFIG}', l.summary), 'B')
           || setweight(to_tsvector('{CONFIG}', coalesce({_KEYWORDS_TEXT}, '')), 'C') AS head
) AS h
WHERE l.status = 'published' AND l.id = ANY(:ids)
ON CONFLICT (listing_id) DO UPDATE SET
    version = EXCLUDED.version, document = EXCLUDED.document, head = EXCLUDED.head, fields = EXCLUDED.fields,
    trl = EXCLUDED.trl, opportunity_types = EXCLUDED.opportunity_types, ip_kinds = EXCLUDED.ip_kinds,
    university_id = EXCLUDED.university_id, country = EXCLUDED.country,
    has_express_license = EXCLUDED.has_express_license, published_at = EXCLUDED.published_at
"""

_WORDS = f"""
INSERT INTO {WORDS} (word)
SELECT DISTINCT w FROM listings AS l,
     regexp_split_to_table(lower(unaccent(l.title || ' ' || l.summary || ' ' || coalesce({_KEYWORDS_TEXT}, ''))),
                           '[^[:alnum:]]+') AS w
WHERE l.status = 'published' AND l.id = ANY(:ids) AND length(w) > 2
ORDER BY 1
ON CONFLICT (word) DO NOTHING
"""

_REMOVE = f"""
DELETE FROM {TABLE} WHERE listing_id = ANY(:ids)
  AND listing_id NOT IN (SELECT id FROM listings WHERE id = ANY(:ids) AND status = 'published')
"""

_SUGGEST = f"""
SELECT CASE WHEN numnode(q) = 0 OR EXISTS (SELECT 1 FROM {TABLE} WHERE document @@ q) THEN NULL ELSE (
    SELECT w.word FROM {WORDS} AS w
    WHERE w.word % lower(unaccent(:word))
      AND EXISTS (SELECT 1 FROM {TABLE} AS s WHERE s.document @@ plainto_tsquery('{CONFIG}', w.word))
    ORDER BY similarity(w.word, lower(unaccent(:word))) DESC, w.word LIMIT 1) END
FROM websearch_to_tsquery('{CONFIG}', :word) AS q
"""

# The most frequent indexed words (lexemes) that start with each prefix, from the statistics
# ANALYZE keeps on ``document`` (its 1,000 most common lexemes and the share of rows holding each).
_PREFIX_WORDS = f"""
SELECT p.prefix, (
    SELECT array_agg(e.lexeme ORDER BY e.freq DESC, e.lexeme COLLATE "C") FROM (
        SELECT u.lexeme, u.freq
        FROM pg_stats AS s,
             unnest(CAST(CAST(s.most_common_elems AS text) AS text[]), s.most_common_elem_freqs) AS u(lexeme, freq)
        WHERE s.schemaname = current_schema() AND s.tablename = '{TABLE}' AND s.attname = 'document'
          AND cardinality(p.stems) = 1 AND starts_with(u.lexeme, p.stems[1])
        ORDER BY u.freq DESC, u.lexeme COLLATE "C" LIMIT :limit + 1
    ) AS e)
FROM (SELECT prefix, tsvector_to_array(to_tsvector('{CONFIG}', prefix)) AS stems
      FROM unnest(CAST(:prefixes AS text[])) AS prefix) AS p
"""

_ORDER = {
    "relevance": "score DESC, published_at DESC NULLS LAST, listing_id DESC",
    "newest": "published_at DESC NULLS LAST, listing_id DESC",
    "trl": "trl DESC, published_at DESC NULLS LAST, listing_id DESC",
}
#: facet -> (value expression, extra FROM for arrays)
_FACET_SQL = {
    "fields": ("v", ", unnest(m.fields) AS v"),
    "trl": ("trl::text", ""),
    "opportunity_types": ("v", ", unnest(m.opportunity_types) AS v"),
    "ip_kinds": ("v", ", unnest(m.ip_kinds) AS v"),
    "universities": ("university_id::text", ""),
    "countries": ("country", ""),
}


def prefix_words(session, query: SearchQuery) -> dict[str, list[str]]:
    """The words each prefix of ``query`` stands for, when it has more than its share
    (``ParsedQuery.prefix_words``): its most frequent ones.

    Frequencies come from the table statistics (autovacuum's ANALYZE; ``rebuild`` runs one). A
    prefix with no more than its share among the words they hold keeps ``prefix:*``: all its
    words, any others being rarer than the 1,000 most common.
    """
    prefixes = sorted({clause.text for clause in query.parsed.clauses() if clause.kind == "prefix"})
    if not prefixes:
        return {}
    limit = query.parsed.prefix_words
    rows = session.execute(sa.text(_PREFIX_WORDS), {"prefixes": prefixes, "limit": limit})
    return {prefix: words[:limit] for prefix, words in rows if words and len(words) > limit}


def _tsquery_literal(words: list[str]) -> str:
    """A tsquery matching any of these lexemes, as they are (no parsing, no stemming)."""
    return " | ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words)


def tsquery_sql(
    query: SearchQuery, params: dict, prefixes: dict[str, list[str]], *, positive_only: bool = False
) -> str | None:
    """SQL for the tsquery of the free text (binding its parts into ``params``), or None.

    ``prefixes`` are the words of the prefixes that stand for only some of theirs (``prefix_words``).
    ``positive_only`` ORs every positive clause: what highlighting marks.
    """

    def clause_sql(clause: Clause) -> str:
        key = f"t{len(params)}"
        if clause.kind == "prefix":
            if clause.text in prefixes:
                params[key] = _tsquery_literal(prefixes[clause.text])
                return f"CAST(:{key} AS tsquery)"
            params[key] = f"{clause.text}:*"
            return f"to_tsquery('{CONFIG}', :{key})"
        params[key] = f'"{clause.text}"' if clause.kind == "phrase" else clause.text
        return f"websearch_to_tsquery('{CONFIG}', :{key})"

    if query.parsed.is_empty:
        return None
    if positive_only:
        parts = [clause_sql(c) for c in query.parsed.clauses(positive_only=True)]
        return " || ".join(parts) if parts else None
    musts = []
    for group in query.parsed.groups:
        sqls = [("!!" if c.negated else "") + f"({clause_sql(c)})" for c in group]
        musts.append(sqls[0] if len(sqls) == 1 else "(" + " || ".join(sqls) + ")")
    return " && ".join(musts)


def filter_predicates(query: SearchQuery, params: dict) -> dict[str, str]:
    """Each active filter as a SQL predicate over ``search_listings`` (alias ``s``), by facet name."""
    preds: dict[str, str] = {}
    if query.fields:
        params["f_fields"] = list(query.fields)
        preds["fields"] = "s.fields && CAST(:f_fields AS text[])"
    if query.trl_values:
        params["f_trl_min"], params["f_trl_max"] = query.trl_values[0], query.trl_values[-1]
        preds["trl"] = "s.trl BETWEEN :f_trl_min AND :f_trl_max"
    if query.opportunity_types:
        params["f_opp"] = list(query.opportunity_types)
        preds["opportunity_types"] = "s.opportunity_types && CAST(:f_opp AS text[])"
    if query.ip_kinds:
        params["f_kinds"] = list(query.ip_kinds)
        preds["ip_kinds"] = "s.ip_kinds && CAST(:f_kinds AS text[])"
    if query.university_ids:
        params["f_unis"] = list(query.university_ids)
        preds["universities"] = "s.university_id = ANY(CAST(:f_unis AS integer[]))"
    if query.countries:
        params["f_countries"] = list(query.countries)
        preds["countries"] = "s.country = ANY(CAST(:f_countries AS text[]))"
    if query.has_express_license is not None:
        params["f_express"] = query.has_express_license
        preds["express"] = "s.has_express_license = :f_express"
    if query.published_since is not None:
        params["f_since"] = query.published_since
        preds["published"] = "s.published_at >= :f_since"
    return preds


def _headline(text: str | None) -> str | None:
    if not text or "\u27e6" not in text:
        return None
    return html.escape(text).replace("\u27e6", "<mark>").replace("\u27e7", "</mark>")


class PostgresBackend:
    name = "postgres"

    # -- writing (in the caller's transaction)

    def sync(self, session, listing_ids) -> None:
        ids = sorted(set(listing_ids))
        if not ids:
            return
        session.execute(sa.text(_REMOVE), {"ids": ids})
        session.execute(sa.text(_UPSERT), {"ids": ids})
        session.execute(sa.text(_WORDS), {"ids": ids})

    def rebuild(self, session, batch_size: int, progress: Callable[[int], None], workers: int = 2) -> int:
        """Rewrite every row from the database and drop the rows of unpublished listings.

        Batches commit one by one on ``workers`` connections in parallel; readers always see a
        complete index (old rows until their batch commits), never an empty one.
        """
        engine = session.get_bind()
        # After a bulk load (an import) the planner may have no statistics yet and scan every
        # listing for each batch; fresh ones cost a sample and make the batches index lookups.
        session.execute(sa.text("ANALYZE listings, listing_fields, listing_assets, express_licenses"))
        session.execute(
            sa.text(f"DELETE FROM {TABLE} WHERE listing_id NOT IN (SELECT id FROM listings WHERE status = 'published')")
        )
        session.execute(sa.text(f"DELETE FROM {WORDS}"))
        ids = session.execute(sa.text("SELECT id FROM listings WHERE status = 'published' ORDER BY id")).scalars().all()
        session.commit()

        def write(batch: list[int]) -> int:
            with engine.begin() as conn:
                conn.execute(sa.text(_UPSERT), {"ids": batch})
                conn.execute(sa.text(_WORDS), {"ids": batch})
            return len(batch)

        batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for done in pool.map(write, batches):
                progress(done)
        with engine.begin() as conn:
            conn.execute(sa.text(f"ANALYZE {TABLE}"))
        return len(ids)

    def clear(self, session) -> None:
        session.execute(sa.text(f"DELETE FROM {TABLE}"))
        session.execute(sa.text(f"DELETE FROM {WORDS}"))

    def indexed_versions(self, session) -> dict[int, int]:
        return dict(session.execute(sa.text(f"SELECT listing_id, version FROM {TABLE}")).all())

    def doc_count(self, session) -> int:
        return session.execute(sa.text(f"SELECT count(*) FROM {TABLE}")).scalar_one()

    # -- reading

    def search(self, session, query: SearchQuery) -> SearchResult:
        params: dict = {}
        tsq = tsquery_sql(query, params, prefix_words(session, query))
        preds = filter_predicates(query, params)
        columns = [
            "s.listing_id",
            "s.published_at",
            "s.trl",
            "s.fields",
            "s.opportunity_types",
            "s.ip_kinds",
            "s.university_id",
            "s.country",
        ]
        ranked = tsq is not None and query.sort == "relevance"
        # Rank on the small ``head`` vector (title A, summary B, keywords C): a listing found only
        # through its description scores the floor (0.01) and ranks after those, by date; the full,
        # toasted document is then only matched through its GIN index, never read row by row.
        columns.append("0.01 + ts_rank_cd(s.head, q.query) AS score" if ranked else "NULL::float8 AS score")
        columns += [f"({sql}) AS p_{name}" for name, sql in preds.items()]
        source = f"{TABLE} AS s"
        if tsq is not None:
            source += f" CROSS JOIN (SELECT {tsq} AS query) AS q WHERE s.document @@ q.query"

        def where(excluding: str | None = None) -> str:
            conds = [f"p_{name}" for name in preds if name != excluding]
            return " AND ".join(conds) if conds else "TRUE"

        sort = query.sort if ranked or query.sort != "relevance" else "newest"
        order = _ORDER[sort]
        params["limit"], params["offset"] = query.page_size, query.offset
        # Hits carry their sort keys (a top-N sort, not a window over every match); Python re-sorts.
        parts = [
            f"(SELECT 'hit' AS kind, listing_id::text AS value, trl::bigint AS n, score,"
            f" extract(epoch FROM published_at)::float8 AS published "
            f"FROM m WHERE {where()} ORDER BY {order} LIMIT :limit OFFSET :offset)",
            f"(SELECT 'total', NULL, count(*), NULL, NULL FROM m WHERE {where()})",
        ]
        if query.with_facets:
            for facet in FACETS:
                value, extra = _FACET_SQL[facet]
                parts.append(
                    f"(SELECT '{facet}', {value}, count(*), NULL, NULL FROM m{extra} WHERE {where(facet)} GROUP BY 2)"
                )
        sql = f"WITH m AS MATERIALIZED (SELECT {', '.join(columns)} FROM {source}) " + " UNION ALL ".join(parts)
        if tsq is not None:
            # The planner underrates matching toasted documents one by one: a GIN bitmap scan
            # (exact for these queries, so no recheck) wins even when most rows match.
            session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        hits: list[tuple[tuple, Hit]] = []
        total = 0
        facets: dict[str, dict[str, int]] = {facet: {} for facet in FACETS} if query.with_facets else {}
        for kind, value, n, score, published in session.execute(sa.text(sql), params):
            if kind == "hit":
                listing_id = int(value)
                keys = {
                    "relevance": (-(score or 0), -(published or 0)),
                    "newest": (-(published or 0),),
                    "trl": (-n, -(published or 0)),
                }[sort]
                hits.append(((*keys, -listing_id), Hit(listing_id, float(score) if score is not None else None)))
            elif kind == "total":
                total = n
            elif value is not None:
                facets[kind][value] = n
        if tsq is not None:
            session.execute(sa.text("SET LOCAL enable_seqscan = on"))
        hits.sort(key=lambda item: item[0])
        needed = tsq is not None and query.parsed.may_need_suggestion(total)
        suggestion = self._suggest(session, query) if needed else None
        return SearchResult(hits=[h for _, h in hits], total=total, facets=facets, suggestion=suggestion)

    def _suggest(self, session, query: SearchQuery) -> str | None:
        text, changed = query.text, False
        for clause in query.parsed.clauses():
            if clause.kind != "term":
                continue
            for word in re.findall(r"\w+", clause.text):
                better = session.execute(sa.text(_SUGGEST), {"word": word}).scalar()
                if better and better != word.lower():
                    text, changed = re.sub(rf"\b{re.escape(word)}\b", lambda _: better, text, count=1), True
        return text if changed else None

    def matches(self, session, listing_id: int, queries: list[SearchQuery]) -> list[bool]:
        out = []
        for query in queries:
            params: dict = {"listing_id": listing_id}
            conds = ["s.listing_id = :listing_id"]
            tsq = tsquery_sql(query, params, prefix_words(session, query))
            if tsq is not None:
                conds.append(f"s.document @@ ({tsq})")
            conds += filter_predicates(query, params).values()
            sql = f"SELECT EXISTS (SELECT 1 FROM {TABLE} AS s WHERE {' AND '.join(conds)})"
            out.append(bool(session.execute(sa.text(sql), params).scalar()))
        return out

    def highlight(self, session, query: SearchQuery, listings) -> dict[int, dict[str, str]]:
        params: dict = {"ids": [listing.id for listing in listings]}
        tsq = tsquery_sql(query, params, prefix_words(session, query), positive_only=True) if listings else None
        if tsq is None:
            return {listing.id: {} for listing in listings}
        marks = 'StartSel="\u27e6", StopSel="\u27e7"'
        sql = (
            f"SELECT l.id, ts_headline('{CONFIG}', l.title, q.query, 'HighlightAll=true, {marks}'),"
            f" ts_headline('{CONFIG}', l.summary, q.query, 'HighlightAll=true, {marks}'),"
            f" CASE WHEN to_tsvector('{CONFIG}', l.summary) @@ q.query THEN NULL"
            f" ELSE ts_headline('{CONFIG}', l.description, q.query, 'MaxWords=35, MinWords=15, {marks}') END"
            f" FROM listings AS l CROSS JOIN (SELECT {tsq} AS query) AS q WHERE l.id = ANY(:ids)"
        )
        out: dict[int, dict[str, str]] = {}
        for listing_id, title, summary, description in session.execute(sa.text(sql), params):
            found = {"title": _headline(title), "summary": _headline(summary), "description": _headline(description)}
            if found["summary"]:
                found["description"] = None
            out[listing_id] = {k: v for k, v in found.items() if v}
        return out
