"""Incident database: snapshot read time, duplicate-suggestion recall, MIT classification.

(a) Time to read the whole AIID snapshot (incidents and every classification file).
(b) Duplicate suggestions: each incident's title is submitted as a new report
    against an index of all stored descriptions (descriptions only, so the title
    cannot match itself verbatim); recall@k is the share of titles whose own
    incident is among the top k.
(c) MIT risk-domain classification on the held-out split (`heldout_split`, the
    incidents the shipped model never saw; checked against the ids the artefact
    records), next to a majority-class baseline, a keyword baseline and a
    nearest-neighbour baseline (the domain of the most similar training incident).

Usage: python bench/incidents.py [../shared/data/aiid]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from redline.incidents import (
    MIT_DOMAINS,
    DuplicateIndex,
    LabelledIncident,
    classify_risk_domain,
    heldout_split,
    load_mit_model,
    mit_labelled,
    read_aiid_snapshot,
)
from redline.incidents._classifier_train import macro_f1

# Hand-written before looking at any held-out incident; a word counts once per incident.
KEYWORDS: dict[str, tuple[str, ...]] = {
    MIT_DOMAINS[0]: ("bias", "racist", "sexist", "discriminat", "gender", "black", "toxic", "offensive", "hate", "stereotyp"),
    MIT_DOMAINS[1]: ("privacy", "data", "leak", "surveillance", "personal", "security", "hack", "breach", "exposed"),
    MIT_DOMAINS[2]: ("false", "misinformation", "wrong", "hallucinat", "fabricat", "inaccurate", "misleading", "error"),
    MIT_DOMAINS[3]: ("deepfake", "scam", "fraud", "impersonat", "fake", "disinformation", "propaganda", "malicious", "phishing"),
    MIT_DOMAINS[4]: ("reliance", "chatbot", "companion", "suicide", "emotional", "addict", "depend"),
    MIT_DOMAINS[5]: ("job", "worker", "labor", "labour", "employment", "artist", "copyright", "environment", "energy"),
    MIT_DOMAINS[6]: ("crash", "autonomous", "self-driving", "autopilot", "failure", "malfunction", "robot", "accident", "vehicle"),
}  # fmt: skip


def keyword_baseline(majority: str) -> Callable[[LabelledIncident], str]:
    """The domain whose keywords occur most often; the majority class when none occurs."""

    def predict(example: LabelledIncident) -> str:
        text = f"{example.title} {example.description}".lower()
        hits = {d: sum(k in text for k in words) for d, words in KEYWORDS.items()}
        best = max(hits.values())
        return (
            majority if best == 0 else max(hits, key=lambda d: (hits[d], d == majority))
        )

    return predict


def neighbour_baseline(
    train: Sequence[LabelledIncident],
) -> Callable[[LabelledIncident], str]:
    """The domain of the most similar training incident (the duplicate index, 1-NN)."""
    index = DuplicateIndex((e.key, f"{e.title}. {e.description}") for e in train)
    domain = {e.key: e.mit_domain for e in train}
    fallback = Counter(e.mit_domain for e in train).most_common(1)[0][0]

    def predict(example: LabelledIncident) -> str:
        found = index.suggest(f"{example.title}. {example.description}", k=1)
        return domain[found[0].key] if found else fallback

    return predict


def report(name: str, gold: list[str], predicted: list[str]) -> None:
    """Print one row of classification figures."""
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    print(
        f"  {name:<28} accuracy={accuracy:.3f} macroF1={macro_f1(gold, predicted):.3f}"
    )


def main() -> None:
    """Print (a), (b) and (c)."""
    folder = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared" / "data" / "aiid"
    )
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        snapshot = read_aiid_snapshot(folder)
        timings.append(time.perf_counter() - start)
    records = snapshot.records
    print(
        f"(a) read {len(records)} incidents, {len(snapshot.files)} files, "
        f"{len(snapshot.problems)} row problems in {min(timings):.2f}s (best of 3)"
    )

    print("(b) duplicate suggestions: each title against all descriptions")
    titles = [r.title for r in records]
    for method in ("tfidf", "bm25"):
        builds = []
        for _ in range(3):  # the first build also fills the per-word caches
            start = time.perf_counter()
            index = DuplicateIndex(
                ((r.external_id or "", r.description) for r in records), method=method
            )
            builds.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = index.suggest_many(titles, k=5)
        per_query = (time.perf_counter() - start) / len(titles) * 1000
        keys = [r.external_id for r in records]
        at1 = sum(bool(s) and s[0].key == k for s, k in zip(found, keys, strict=True))
        at5 = sum(any(x.key == k for x in s) for s, k in zip(found, keys, strict=True))
        default = " (default)" if method == "tfidf" else ""
        print(
            f"  {method + default:<16} recall@1={at1 / len(keys):.3f} "
            f"recall@5={at5 / len(keys):.3f}  build {builds[0] * 1000:.0f} ms first, "
            f"{min(builds) * 1000:.0f} ms best of 3, "
            f"{per_query:.2f} ms/query ({len(keys)} queries)"
        )

    examples = mit_labelled(records)
    train, heldout = heldout_split(examples)
    recorded = load_mit_model().meta.get("heldout_keys")
    if recorded != sorted(e.key for e in heldout):
        raise SystemExit(
            "the held-out split differs from the one the shipped model was trained "
            "around; retrain with python -m redline.incidents._classifier_train"
        )
    gold = [e.mit_domain for e in heldout]
    print(
        f"(c) MIT risk domain on the held-out split: {len(heldout)} incidents "
        f"(trained on {len(train)}; {len(set(gold))} domains present)"
    )
    start = time.perf_counter()
    predicted = [
        classify_risk_domain(e.title, e.description).mit_domain for e in heldout
    ]
    per_incident = (time.perf_counter() - start) / len(heldout) * 1000
    report("classifier", gold, predicted)
    majority = Counter(e.mit_domain for e in train).most_common(1)[0][0]
    report("majority-class baseline", gold, [majority] * len(gold))
    keyword = keyword_baseline(majority)
    report("keyword baseline", gold, [keyword(e) for e in heldout])
    neighbour = neighbour_baseline(train)
    report("nearest-neighbour baseline", gold, [neighbour(e) for e in heldout])
    print(f"  classifier speed: {per_incident:.2f} ms/incident")


if __name__ == "__main__":
    main()
