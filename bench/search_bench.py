"""Search benchmark: the app's search API against the straightforward use of the raw engine.

    .venv/bin/python bench/search_bench.py --listings 10000                      # whoosh (make bench)
    .venv/bin/python bench/search_bench.py --listings 100000 --backend postgres  # PostgreSQL FTS

1. Generates N realistic synthetic listings (a vocabulary of several hundred domain words across
   the technology fields; titles ~8 words, summaries ~40, descriptions ~300) in a fresh database:
   a SQLite file for ``whoosh``, a new PostgreSQL database (``BENCH_DATABASE_URL``, default the
   local server) for ``postgres``; both are removed at the end unless ``--keep``.
2. Indexes them with the chosen backend (``flask search reindex``'s code path, including the final
   merge) and prints docs/s and the index size. The raw engine is always Whoosh: with
   ``--backend postgres`` a Whoosh index of the same listings is built as well, for the reference.
3. Runs a fixed mix of 200 queries (1-3 terms, with and without filters, facets, highlights,
   page size 20; seeded, so every run asks the same) through the app's HTTP API (a real HTTP
   server on 127.0.0.1) and, in the same run, directly against the raw engine the straightforward
   way: a fresh ``searcher.search_page(query, 1, pagelen=20)`` per query with the same boosts,
   filters, facet counts (``groupedby``) and highlights.
4. Prints p50/p95 for both and ``search p95 api/raw = R (api P ms, raw Q ms, N listings)``.
5. Times the most expensive queries one can send (``WORST_QUERIES``: broad prefixes, the deepest
   page; the median of 3 calls each) through the API and ends with
   ``worst queries max/p95 = R (co* X ms, ...)``, the slowest against the mix's API p95.

Targets (ratios in one run): 10,000 listings: R <= 1.2; 100,000 with whoosh: R <= 0.75;
100,000 with postgres: R <= 0.3. Reindex of 100,000: whoosh < 4 min, postgres < 1 min.
Worst queries: max/p95 <= 3 at 100,000 listings, on both backends.

``--workdir DIR`` keeps the generated database and index in DIR and reuses them on a later run
with the same ``--listings``, ``--backend`` and ``--seed`` (no generating or indexing then).
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

COMMON = """
novel method system device process platform technology approach improved efficient scalable low cost
high performance robust sensitive selective rapid portable compact integrated modular automated
smart adaptive sustainable durable flexible lightweight precise reliable safe continuous real time
analysis detection monitoring control design fabrication manufacturing synthesis production
treatment delivery measurement imaging screening testing validation optimization modelling
simulation prediction estimation classification processing storage conversion recovery reduction
enhancement prevention diagnosis therapy material structure surface interface layer coating film
membrane particle composite network circuit module unit array chip instrument tool kit assay
protocol algorithm software framework dataset model signal sample patient user operator market
industry application field performance yield accuracy resolution throughput lifetime stability
""".split()

FIELD_WORDS = {
    "LS": """antibody protein peptide enzyme receptor inhibitor vaccine antigen tumor cancer oncology
    biomarker genome gene cell stem tissue organ cardiac neural brain neuron immune inflammation
    infection bacteria virus antiviral antibiotic drug compound molecule formulation dosage clinical
    trial diagnostic pathogen microbiome insulin diabetes obesity kidney liver lung retina implant
    catheter stent prosthesis wound regeneration crispr rna dna sequencing""".split(),
    "CH": """catalyst polymer monomer solvent reaction oxidation reduction hydrogenation electrolysis
    ligand crystal zeolite resin adhesive pigment dye surfactant emulsion colloid ceramic glass alloy
    graphene nanotube nanoparticle perovskite silica titanium oxide nitride carbide lithium sodium
    sulfur chlorine ammonia methanol ethanol biodegradable recyclable plastic fiber textile""".split(),
    "EN": """battery anode cathode electrolyte electrode solar photovoltaic wind turbine hydrogen fuel
    grid inverter converter transformer storage thermal heat pump geothermal nuclear fusion fission
    reactor combustion emission carbon capture sequestration biofuel biogas efficiency insulation
    charging supercapacitor flywheel microgrid transmission distribution power voltage current""".split(),
    "IT": """data learning neural network deep machine intelligence vision language speech robot
    autonomous navigation localization mapping cloud edge server database query encryption security
    privacy authentication blockchain ledger wireless antenna protocol bandwidth latency compiler
    processor quantum qubit photonic optical laser fiber semiconductor transistor memory""".split(),
    "AG": """crop seed soil irrigation fertilizer pesticide herbicide plant yield harvest livestock
    dairy poultry aquaculture fish feed grain wheat rice maize soybean fruit vegetable greenhouse
    hydroponic drone pollination pest disease drought salinity nitrogen phosphorus""".split(),
    "EV": """water wastewater filtration desalination purification pollution contaminant remediation
    air quality particulate ozone recycling waste landfill compost plastic microplastic ocean river
    climate biodiversity ecosystem forest wetland monitoring sensor toxic heavy metal""".split(),
}
COUNTRIES = [
    "US",
    "GB",
    "DE",
    "FR",
    "NL",
    "CH",
    "SE",
    "CA",
    "JP",
    "KR",
    "AU",
    "IN",
    "BR",
    "IT",
    "ES",
    "IL",
    "SG",
    "CN",
    "FI",
    "DK",
]
OPPORTUNITY_TYPES = ["license", "sponsored_research", "co_development", "startup_formation"]
ASSET_KINDS = ["patent", "patent_application", "provisional", "software", "copyright", "know_how"]
STAGES = ["concept", "proof_of_concept", "prototype", "validated", "pilot", "market_ready"]


# ---- data --------------------------------------------------------------------------------------


def field_codes() -> dict[str, list[str]]:
    from marketplace.core.taxonomy import technology_fields

    children: dict[str, list[str]] = {}
    for f in technology_fields().values():
        if f.parent in FIELD_WORDS:
            children.setdefault(f.parent, []).append(f.code)
    return children


def zipf_weights(n: int) -> list[float]:
    return [1.0 / (i + 1) ** 0.8 for i in range(n)]


class Vocabulary:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.by_field = {}
        for top, words in FIELD_WORDS.items():
            pool = words + COMMON
            rng.shuffle(pool)
            self.by_field[top] = (pool, list(_cumulative(zipf_weights(len(pool)))))

    def words(self, top: str, k: int) -> list[str]:
        pool, cum = self.by_field[top]
        return self.rng.choices(pool, cum_weights=cum, k=k)


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def sentence(words: list[str]) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


def generate(session, n: int, seed: int) -> None:
    """Insert n published listings with universities, fields, IP assets and express licenses."""
    from marketplace.accounts.models import Organization
    from marketplace.core.db import utcnow
    from marketplace.ip.models import IPAsset
    from marketplace.listings.models import ExpressLicense, Listing, ListingField, listing_assets

    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    children = field_codes()
    now = utcnow()
    universities = []
    for i in range(max(5, min(300, n // 100))):
        universities.append(
            {
                "kind": "university",
                "name": f"University {i}",
                "slug": f"bench-university-{i}",
                "country": COUNTRIES[i % len(COUNTRIES)],
                "verification_status": "verified",
                "verified_at": now,
            }
        )
    session.execute(sa.insert(Organization), universities)
    uni_ids = session.execute(sa.select(Organization.id).order_by(Organization.id)).scalars().all()
    batch = 2000
    asset_id = 0
    for start in range(0, n, batch):
        listings, fields, assets, links, express = [], [], [], [], []
        first_id = start + 1
        for i in range(first_id, min(n, start + batch) + 1):
            top = rng.choice(list(FIELD_WORDS))
            codes = rng.sample(children[top], k=rng.choice([1, 1, 2]))
            uni = rng.choice(uni_ids)
            title = " ".join(vocab.words(top, 8)).capitalize()
            summary = " ".join(sentence(vocab.words(top, 10)) for _ in range(4))
            description = " ".join(sentence(vocab.words(top, 15)) for _ in range(20))
            listings.append(
                {
                    "id": i,
                    "university_id": uni,
                    "slug": f"bench-listing-{i}",
                    "title": title,
                    "summary": summary,
                    "description": description,
                    "keywords": vocab.words(top, 4),
                    "trl": rng.randint(1, 9),
                    "development_stage": rng.choice(STAGES),
                    "opportunity_types": sorted(rng.sample(OPPORTUNITY_TYPES, k=rng.choice([1, 1, 2]))),
                    "status": "published",
                    "version": 1,
                    "published_at": now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60)),
                }
            )
            fields.extend({"listing_id": i, "code": c} for c in codes)
            for _ in range(rng.choice([0, 1, 1, 2])):
                asset_id += 1
                assets.append(
                    {
                        "id": asset_id,
                        "university_id": uni,
                        "kind": rng.choice(ASSET_KINDS),
                        "title": title,
                        "abstract": "",
                        "inventors": [],
                        "status": "pending",
                    }
                )
                links.append({"listing_id": i, "asset_id": asset_id})
            if rng.random() < 0.15:
                express.append(
                    {
                        "listing_id": i,
                        "fields": codes,
                        "territories": ["WORLDWIDE"],
                        "price_amount": 250_000,
                        "currency": "USD",
                        "term_months": 12,
                        "terms": "",
                        "is_active": True,
                    }
                )
        session.execute(sa.insert(Listing), listings)
        session.execute(sa.insert(ListingField), fields)
        if assets:
            session.execute(sa.insert(IPAsset), assets)
            session.execute(sa.insert(listing_assets), links)
        if express:
            session.execute(sa.insert(ExpressLicense), express)
        session.commit()
        print(f"\r  generated {min(n, start + batch)}/{n} listings", end="", flush=True)
    print()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("ANALYZE"))  # what autovacuum does for a live database
        for table in ("listings", "ip_assets", "organizations", "express_licenses"):
            session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
        session.commit()


def query_mix(count: int, seed: int) -> list[dict]:
    """The fixed mix of queries: 1-3 domain terms (sometimes with a generic word), half with one or
    two filters."""
    rng = random.Random(seed + 1)
    children = field_codes()
    mix = []
    for i in range(count):
        top = rng.choice(list(FIELD_WORDS))
        # People search for domain words ("perovskite anode"), rarely for "novel system".
        terms = rng.sample(FIELD_WORDS[top], k=rng.choice([1, 1, 2, 2, 3]))
        if len(terms) < 3 and rng.random() < 0.25:
            terms.append(rng.choice(COMMON))
        params: dict = {"q": " ".join(dict.fromkeys(terms)), "page_size": 20}
        if i % 2:
            for kind in rng.sample(["field", "trl", "opportunity_type", "country", "express"], k=rng.choice([1, 2])):
                if kind == "field":
                    params["field"] = rng.choice([top, rng.choice(children[top])])
                elif kind == "trl":
                    low = rng.randint(1, 6)
                    params["trl_min"], params["trl_max"] = low, low + rng.randint(1, 3)
                elif kind == "opportunity_type":
                    params["opportunity_type"] = rng.choice(OPPORTUNITY_TYPES)
                elif kind == "country":
                    params["country"] = rng.choice(COUNTRIES)
                else:
                    params["has_express_license"] = "true"
        mix.append(params)
    return mix


# ---- the straightforward raw engine -------------------------------------------------------------


def raw_whoosh_query(ix, params: dict) -> int:
    """What a developer would write first: a fresh searcher and ``search_page`` per query."""
    from whoosh import sorting
    from whoosh.query import And

    from marketplace.search.backends.whoosh import filter_queries, text_query
    from marketplace.search.query import build_query

    query = build_query(
        {
            **params,
            "field": _list(params.get("field")),
            "country": _list(params.get("country")),
            "opportunity_type": _list(params.get("opportunity_type")),
            "has_express_license": True if params.get("has_express_license") else None,
        }
    )
    facets = {
        "fields": sorting.FieldFacet("fields", allow_overlap=True),
        "trl": sorting.FieldFacet("trl"),
        "opportunity_types": sorting.FieldFacet("opportunity_types", allow_overlap=True),
        "ip_kinds": sorting.FieldFacet("ip_kinds", allow_overlap=True),
        "universities": sorting.FieldFacet("university"),
        "countries": sorting.FieldFacet("country"),
    }
    filters = list(filter_queries(query).values())
    with ix.searcher() as searcher:
        page = searcher.search_page(
            text_query(query),
            1,
            pagelen=20,
            filter=And(filters) if filters else None,
            groupedby=facets,
            maptype=sorting.Count,
        )
        total = page.total
        for name in facets:
            page.results.groups(name)
        for hit in page:
            hit.highlights("title")
            hit.highlights("summary")
    return total


def _list(value):
    return [value] if value else []


# ---- running --------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def dir_size(path: str) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def serve(app) -> tuple[object, int]:
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_port


def api_get(port: int, params: dict) -> dict:
    import json

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/api/v1/search/listings?" + urllib.parse.urlencode(params, doseq=True))
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"API answered {response.status}: {body[:300]!r}")
    return json.loads(body)


#: queries that cost the most per request (broad prefixes, the deepest page): each must stay
#: within a small multiple of the mix's p95
WORST_QUERIES = {
    "co*": {"q": "co*"},
    "pr*": {"q": "pr*"},
    "co* OR pr* OR re* OR se*": {"q": "co* OR pr* OR re* OR se*"},
    "system page 100 of 100": {"q": "system", "page": 100, "page_size": 100},
    "newest page 100 of 100": {"page": 100, "page_size": 100},
}


def time_worst(port: int, params: dict, runs: int = 3) -> float:
    """The median time of ``runs`` calls, in ms."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        api_get(port, {"page_size": 20, **params})
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _build(app, args, workdir: str, index_dir: str):
    """Generate the listings and index them (timed); the raw Whoosh index to compare with."""
    from flask_migrate import upgrade

    from marketplace.core.transaction import commit
    from marketplace.extensions import db
    from marketplace.search.backends import get_backend
    from marketplace.search.backends.whoosh import WhooshBackend

    upgrade()
    started = time.perf_counter()
    generate(db.session, args.listings, args.seed)
    print(f"  data generated in {time.perf_counter() - started:.1f} s")

    backend = get_backend(app)
    started = time.perf_counter()
    count = backend.rebuild(db.session, args.batch_size, lambda n: None)
    commit()
    index_seconds = time.perf_counter() - started
    if args.backend == "postgres":
        size = db.session.execute(
            sa.text("SELECT pg_total_relation_size('search_listings') + pg_total_relation_size('search_words')")
        ).scalar_one()
    else:
        size = dir_size(index_dir)
    print(
        f"indexing ({args.backend}): {count} listings in {index_seconds:.1f} s = {count / index_seconds:.0f} docs/s;"
        f" index size {size / 2**20:.1f} MiB"
    )

    if args.backend == "whoosh":
        raw_ix = backend._index()
    elif args.no_raw:
        raw_ix = None
    else:
        raw_dir = os.path.join(workdir, "raw-whoosh")
        raw_backend = WhooshBackend(raw_dir)
        started = time.perf_counter()
        raw_backend.rebuild(db.session, args.batch_size, lambda n: None)
        seconds = time.perf_counter() - started
        print(
            f"indexing (whoosh, for the raw reference): {count} listings in {seconds:.1f} s ="
            f" {count / seconds:.0f} docs/s; index size {dir_size(raw_dir) / 2**20:.1f} MiB"
        )
        raw_ix = raw_backend._index()
    return raw_ix


def _reused_index(app, workdir: str, backend_name: str):
    """The raw Whoosh index of a kept run, if it has one (the app's own index is reopened by the app)."""
    from marketplace.search.backends import get_backend
    from marketplace.search.backends.whoosh import WhooshBackend

    if backend_name == "whoosh":
        return get_backend(app)._index()
    raw_dir = os.path.join(workdir, "raw-whoosh")
    return WhooshBackend(raw_dir)._index() if os.path.isdir(raw_dir) else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--backend", choices=["whoosh", "postgres"], default="whoosh")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the generated database and index")
    parser.add_argument(
        "--workdir",
        help="keep the database and index in this directory and reuse them on the next run with the same"
        " --listings, --backend and --seed (skips generating and indexing)",
    )
    parser.add_argument(
        "--no-raw",
        action="store_true",
        help="skip the raw Whoosh reference (its queries, and with --backend postgres its index build)",
    )
    args = parser.parse_args(argv)

    from marketplace import create_app
    from marketplace.extensions import db

    reuse = False
    if args.workdir:
        args.keep = True
        workdir = os.path.abspath(args.workdir)
        os.makedirs(workdir, exist_ok=True)
        stamp = Path(workdir, "bench-data")
        reuse = stamp.exists() and stamp.read_text().split()[:3] == [str(args.listings), args.backend, str(args.seed)]
    else:
        workdir = tempfile.mkdtemp(prefix="search-bench-")
    admin_engine = pg_name = None
    if args.backend == "postgres":
        base = sa.make_url(
            os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        )
        admin_engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        if reuse:
            pg_name = stamp.read_text().split()[3]
        else:
            pg_name = f"search_bench_{uuid.uuid4().hex[:8]}"
            with admin_engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{pg_name}"')
        database_url = base.set(database=pg_name).render_as_string(hide_password=False)
    else:
        database_url = f"sqlite:///{workdir}/bench.db"
    index_dir = os.path.join(workdir, "index")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_BACKEND": args.backend,
            "SEARCH_INDEX_DIR": index_dir,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    try:
        with app.app_context():
            print(f"Search benchmark: {args.listings} listings, backend {args.backend}, {args.queries} queries")
            if reuse:
                print(f"  reusing the database and index in {workdir}")
                raw_ix = _reused_index(app, workdir, args.backend)
            else:
                raw_ix = _build(app, args, workdir, index_dir)
                if args.workdir:
                    stamp.write_text(f"{args.listings} {args.backend} {args.seed} {pg_name or '-'}\n")
            db.session.remove()
        if args.no_raw:
            raw_ix = None

        mix = query_mix(args.queries, args.seed)
        server, port = serve(app)
        for params in mix[:5]:  # warm up: OS file cache, this process's searcher and its bitmaps
            api_get(port, params)
            if raw_ix is not None:
                raw_whoosh_query(raw_ix, params)
        api_ms, raw_ms = [], []
        api_totals = raw_totals = 0
        for params in mix:
            started = time.perf_counter()
            api_totals += api_get(port, params)["total"]
            api_ms.append((time.perf_counter() - started) * 1000)
            if raw_ix is None:
                continue
            with app.app_context():
                started = time.perf_counter()
                raw_totals += raw_whoosh_query(raw_ix, params)
                raw_ms.append((time.perf_counter() - started) * 1000)
        worst = {name: time_worst(port, params) for name, params in WORST_QUERIES.items()}
        server.shutdown()
        if args.backend == "whoosh" and raw_ms and api_totals != raw_totals:
            print(f"WARNING: totals differ (api {api_totals}, raw {raw_totals})")
        print(
            f"api ({args.backend}, HTTP):   p50 {statistics.median(api_ms):7.1f} ms   p95 {percentile(api_ms, 95):7.1f} ms"
        )
        api_p95 = percentile(api_ms, 95)
        if raw_ms:
            raw_p95 = percentile(raw_ms, 95)
            print(
                f"raw (whoosh, fresh searcher): p50 {statistics.median(raw_ms):7.1f} ms   p95 {raw_p95:7.1f} ms"
            )
            print(
                f"search p95 api/raw = {api_p95 / raw_p95:.2f} (api {api_p95:.1f} ms, raw {raw_p95:.1f} ms, "
                f"{args.listings} listings)"
            )
        slowest = max(worst.values())
        print(
            f"worst queries max/p95 = {slowest / api_p95:.2f} ("
            + ", ".join(f"{name} {ms:.0f} ms" for name, ms in worst.items())
            + f"; api p95 {api_p95:.1f} ms)"
        )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if args.keep:
            print(f"kept: {workdir}" + (f" and database {pg_name}" if pg_name else ""))
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            if admin_engine is not None:
                with admin_engine.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if admin_engine is not None:
            admin_engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
