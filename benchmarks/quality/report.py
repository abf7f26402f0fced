"""The quality benchmark's tables: per variant class and group, results returned, and
full three-word names; ``render`` prints a saved report."""


import json
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Final

from benchmarks.quality.answers import Answer
from benchmarks.quality.sampling import GROUPS, Query

SYSTEMS: Final = ("ours", "simple", "es_fuzzy", "bc")
_WORDS: Final = re.compile(r"[^\W_]+")


# --- report --------------------------------------------------------------------------------

def _pct(part: int, whole: int) -> str:
    return "–" if whole == 0 else f"{100.0 * part / whole:.1f}"


def _quantiles(values: Sequence[int]) -> tuple[float, float]:
    if not values:
        return (0.0, 0.0)
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (float(statistics.median(ordered)), float(p95))


def _expected_tier_for(system: str, expected: str) -> str:
    return "any" if system == "es_fuzzy" else expected


def summarise(queries: Sequence[Query], answers: dict[str, list[Answer]]
              ) -> list[dict[str, Any]]:
    """One row per (group, variant class): per system found / right tier / wrong tier and
    the results returned."""
    buckets: defaultdict[tuple[str, str, str], list[int]] = defaultdict(list)
    for query in queries:
        buckets[(query.group, query.variant_class, query.expected)].append(query.qid)
    rows: list[dict[str, Any]] = []
    for (group, variant_class, expected), qids in buckets.items():
        row: dict[str, Any] = {"group": group, "class": variant_class, "expected": expected,
                               "n": len(qids)}
        for system in SYSTEMS:
            if system not in answers:
                continue
            given = [answers[system][q] for q in qids]
            found = sum(a.target_tier is not None for a in given)
            wanted = _expected_tier_for(system, expected)
            right = sum(a.target_tier == wanted for a in given) if expected != "none" else 0
            stats: dict[str, Any] = {"found": found, "right_tier": right,
                                     "wrong_tier": found - right if expected != "none" else 0,
                                     "errors": sum(a.error is not None for a in given)}
            for tier in sorted({t for a in given for t in a.counts}):
                median, p95 = _quantiles([a.counts.get(tier, 0) for a in given])
                stats[f"returned_{tier}_median"] = median
                stats[f"returned_{tier}_p95"] = p95
            if system == "es_fuzzy":
                stats["total_hits_median"], stats["total_hits_p95"] = _quantiles(
                    [int(a.extra.get("total_hits", 0)) for a in given])
            if system == "ours":
                stats["close_left_out_queries"] = sum(
                    int(a.extra.get("close_left_out", 0)) > 0 for a in given)
                stats["right_tier_first_page"] = sum(
                    a.target_tier == wanted and bool(a.extra.get("first_page"))
                    for a in given) if expected != "none" else 0
            row[system] = stats
        rows.append(row)
    order = list(GROUPS)
    rows.sort(key=lambda r: (order.index(r["group"]), ["exact", "close", "none"].index(
        r["expected"]), r["class"]))
    return rows


def is_three_word_name(query: Query) -> bool:
    return (query.group == "name_individual" and query.expected in ("exact", "close")
            and len(_WORDS.findall(query.text)) == 3
            and len(_WORDS.findall(query.registered)) == 3)


def three_word_names(queries: Sequence[Query], ours: Sequence[Answer],
                     default_counts: dict[int, int]) -> dict[str, Any]:
    """Full three-word individual-name queries: results per query, target ranked first.

    *Results* is what a searcher gets with the default options (registrations in force,
    close tier capped): the exact count plus the close matches shown. *All matches* counts
    deleted registrations and the whole close tier. *Target first*: no result of its tier
    ranks above it (strict: it is the first one; with ties: its score is the tier's best,
    registrations with equal scores being ordered newest first by the contract)."""
    out: dict[str, Any] = {}
    for label, tiers in (("exact classes", ("exact",)), ("close classes", ("close",)),
                         ("all", ("exact", "close"))):
        picked = [(q, ours[q.qid]) for q in queries
                  if q.expected in tiers and is_three_word_name(q)]
        shown = [default_counts[q.qid] for q, _ in picked if default_counts.get(q.qid, -1) >= 0]
        every = [a.counts.get("exact", 0) + int(a.extra.get("close_count", 0)) for _, a in picked]
        median, p95 = _quantiles(shown)
        all_median, all_p95 = _quantiles(every)
        out[label] = {
            "queries": len(picked), "results_median": median, "results_p95": p95,
            "all_matches_median": all_median, "all_matches_p95": all_p95,
            "target_first_strict_pct": _pct(sum(a.rank == 0 for _, a in picked), len(picked)),
            "target_first_with_ties_pct": _pct(
                sum(a.target_tier is not None and a.tied_first for _, a in picked), len(picked)),
            "target_found_pct": _pct(sum(a.target_tier is not None for _, a in picked),
                                     len(picked)),
        }
    return out


def _cell(stats: dict[str, Any] | None, expected: str, n: int, key: str) -> str:
    if stats is None:
        return "–"
    if expected == "none":
        return _pct(stats["found"], n)
    return _pct(stats[key], n)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "Recall (exact and close classes) is the % of queries whose target is in the promised "
        "tier (ours: the whole tier, the close tier paged with `close_offset`; *on the first "
        "page*: within the exact tier or the first 50 close matches); for negatives (`none`) "
        "the column shows the false-match % (target in any tier). "
        "*wrong* = target found but in the other tier. (a) has only an exact tier; (b) has no "
        "tiers (target in its top 50).",
        "",
        "| group | class | tier | n | ours | ours on the first page | ours wrong "
        "| (a) simple found | (b) ES fuzzy top 50 | (c) BC right tier | (c) BC wrong |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        n, expected = row["n"], row["expected"]
        ours, bc = row.get("ours"), row.get("bc")
        lines.append("| " + " | ".join([
            row["group"], row["class"], expected, str(n),
            _cell(ours, expected, n, "right_tier"),
            "–" if ours is None or expected == "none" else _pct(
                ours.get("right_tier_first_page", 0), n),
            "–" if ours is None or expected == "none" else _pct(ours["wrong_tier"], n),
            _cell(row.get("simple"), expected, n, "found"),
            _cell(row.get("es_fuzzy"), expected, n, "right_tier"),
            _cell(bc, expected, n, "right_tier"),
            "–" if bc is None or expected == "none" else _pct(bc["wrong_tier"], n),
        ]) + " |")
    return "\n".join(lines)


def _returned(stats: dict[str, Any] | None, *tiers: str) -> str:
    if stats is None:
        return "–"
    parts = []
    for tier in tiers:
        median = stats.get(f"returned_{tier}_median")
        if median is not None:
            parts.append(f"{median:g}/{stats[f'returned_{tier}_p95']:g}")
    return " · ".join(parts) or "–"


def markdown_returned(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "Results returned per query, median/p95 (ours and (c): exact · close; ours' exact "
        "count is the true count, its close tier is capped at 50; (b): top-50 size · total "
        "hits; (c) is capped at 1,000 in all).",
        "",
        "| group | class | tier | ours exact · close | (a) simple | (b) ES top 50 · total "
        "| (c) BC exact · similar |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        es = row.get("es_fuzzy")
        es_cell = "–" if es is None else (
            f"{es['returned_any_median']:g}/{es['returned_any_p95']:g} · "
            f"{es['total_hits_median']:g}/{es['total_hits_p95']:g}")
        lines.append("| " + " | ".join([
            row["group"], row["class"], row["expected"],
            _returned(row.get("ours"), "exact", "close"), _returned(row.get("simple"), "exact"),
            es_cell, _returned(row.get("bc"), "exact", "close"),
        ]) + " |")
    return "\n".join(lines)


def group_totals(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per group and promised tier: the same measures summed over variant classes."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["group"], row["expected"])
        total = totals.setdefault(key, {"group": row["group"], "class": "(all)",
                                        "expected": row["expected"], "n": 0})
        total["n"] += row["n"]
        for system in SYSTEMS:
            if system in row:
                mine = total.setdefault(system, {"found": 0, "right_tier": 0, "wrong_tier": 0,
                                                 "right_tier_first_page": 0})
                for measure in ("found", "right_tier", "wrong_tier", "right_tier_first_page"):
                    mine[measure] += row[system].get(measure, 0)
    return list(totals.values())




def render(report: dict[str, Any]) -> str:
    rows = report["classes"]
    parts = ["### Per group (all classes of a tier together)", "",
             markdown(report["groups"]), "", "### Per variant class", "", markdown(rows), "",
             "### Results returned", "", markdown_returned(rows)]
    if "three_word_names" in report:
        parts += ["", "### Full three-word individual names (ours)", "",
                  "| queries | n | results/query (default options) median | p95 "
                  "| all matches median | p95 | target first (strict) % "
                  "| target first incl. ties % | target found % |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, m in report["three_word_names"].items():
            parts.append(f"| {label} | {m['queries']} | {m['results_median']:g} | "
                         f"{m['results_p95']:g} | {m.get('all_matches_median', 0):g} | "
                         f"{m.get('all_matches_p95', 0):g} | {m['target_first_strict_pct']} | "
                         f"{m['target_first_with_ties_pct']} | {m['target_found_pct']} |")
    if "exact_truth" in report:
        t = report["exact_truth"]
        if t.get("source") == "registry":
            source = (f"ground truth from the whole registry ({t['registry']['registrations']}"
                      f" registrations streamed in {t['registry']['blocks']} blocks)")
        else:
            source = f"registry delta since the corpus load: {t['registry_delta']}"
        parts += ["", "### Exact tier against the corpus ground truth", "",
                  f"{t['queries_checked']} exact-class queries checked; {source}; "
                  f"({t['exact_matches_expected']} exact matches expected in all; "
                  f"{t['queries_without_prefilter']} without a prefilter skipped): "
                  f"**{len(t['misses'])} misses, {len(t['extras'])} extras**."]
    if "ours_miss_reasons" in report:
        parts += ["", "Why ours missed (engine re-run in-process: `close_cap` = found once the "
                  "close tier is not capped at 50; `close_candidate_limit` = found once more "
                  "than 2,000 close candidates are fetched; `error` = HTTP error): "
                  + json.dumps(report["ours_miss_reasons"])]
    parts += ["", f"Timings (s): {json.dumps(report['timings_s'])}"]
    return "\n".join(parts)
