"""The MIT taxonomy, its mapping onto Redline's risk domains, and CSETv1 -> OECD."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from incidents_helpers import AIID, needs_aiid

from redline.incidents import (
    MIT_DOMAINS,
    MIT_SUBDOMAINS,
    REDLINE_DOMAINS,
    HarmType,
    Severity,
    cset_harm_types,
    cset_sectors,
    cset_severity,
    mit_domain_name,
    redline_domains,
)

REFERENCE = (
    Path(__file__).resolve().parents[2]
    / "src/redline/frameworks/builtin/redline-reference.yaml"
)


def test_redline_domain_ids_are_the_reference_frameworks() -> None:
    framework = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    assert set(REDLINE_DOMAINS) == {d["id"] for d in framework["domains"]}


def test_seven_domains_and_every_subdomain_maps_into_redline_ids() -> None:
    assert len(MIT_DOMAINS) == 7
    assert sum(len(s) for s in MIT_SUBDOMAINS.values()) == 24
    for domain, subdomains in MIT_SUBDOMAINS.items():
        for subdomain in subdomains:
            assert subdomain.split(".")[0] == domain.split(".")[0]
            assert set(redline_domains(domain, subdomain)) <= set(REDLINE_DOMAINS)


@needs_aiid
def test_names_are_spelled_as_the_aiid_snapshot_spells_them() -> None:
    import csv

    with (AIID / "classifications_MIT.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["Risk Domain"] for r in rows} == set(MIT_DOMAINS)
    known = {s for subs in MIT_SUBDOMAINS.values() for s in subs}
    assert {r["Risk Subdomain"] for r in rows} <= known


@pytest.mark.parametrize(
    ("subdomain", "expected"),
    [
        ("4.2. Cyberattacks, weapon development or use, and mass harm", ("cyber", "hazardous_knowledge", "misuse_safeguards")),
        ("4.3. Fraud, scams, and targeted manipulation", ("misuse_safeguards",)),
        ("3.1. False or misleading information", ("honesty",)),
        ("7.1. AI pursuing its own goals in conflict with human goals or values", ("autonomy",)),
        ("7.2. AI possessing dangerous capabilities", ("autonomy", "hazardous_knowledge", "cyber")),
        ("2.2. AI system security vulnerabilities and attacks", ("cyber", "misuse_safeguards")),
        ("1.1. Unfair discrimination and misrepresentation", ("societal_harms",)),
        ("5.2. Loss of human agency and autonomy", ("societal_harms",)),
        ("7.3. Lack of capability or robustness", ()),
    ],
)  # fmt: skip
def test_subdomain_mapping(subdomain: str, expected: tuple[str, ...]) -> None:
    domain = mit_domain_name(subdomain.split(".")[0])
    assert redline_domains(domain, subdomain) == expected
    assert redline_domains(domain, subdomain.split(" ")[0]) == expected  # by number


def test_a_domain_alone_claims_only_what_all_its_subdomains_share() -> None:
    assert redline_domains("4. Malicious Actors & Misuse") == ("misuse_safeguards",)
    assert redline_domains("3") == ("honesty",)
    assert redline_domains("1. Discrimination and Toxicity") == ("societal_harms",)
    assert redline_domains("7. AI system safety, failures, and limitations") == ()
    assert "over_refusal" not in {
        d
        for domain, subs in MIT_SUBDOMAINS.items()
        for s in subs
        for d in redline_domains(domain, s)
    }


@pytest.mark.parametrize(
    ("domain", "subdomain", "message"),
    [
        ("9. Unknown", None, "unknown MIT risk domain"),
        ("Misinformation", None, "unknown MIT risk domain"),
        ("3. Misinformation", "4.3. Fraud", "not part of domain"),
        ("3. Misinformation", "3.9. Nothing", "unknown MIT risk subdomain"),
    ],
)
def test_unknown_names_are_value_errors(
    domain: str, subdomain: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        redline_domains(domain, subdomain)


def test_cset_helpers_state_only_what_the_annotation_says() -> None:
    event = {
        "AI Harm Level": "AI tangible harm event",
        "Lives Lost": "1",
        "Injuries": "0",
        "Rights Violation": "yes",
        "Impact on Critical Services": "maybe",
        "Sector of Deployment": "Arts, entertainment and recreation, information and communication, other",
    }
    assert cset_harm_types(event) == (HarmType.PHYSICAL, HarmType.RIGHTS)
    assert cset_severity(event) == Severity.SERIOUS
    assert cset_sectors(event) == ("arts_entertainment", "information_communication")
    assert (
        cset_severity({**event, "Lives Lost": "0", "Injuries": "3"})
        == Severity.MODERATE
    )
    assert cset_severity({**event, "Lives Lost": "0"}) is None  # event, no counts
    assert (
        cset_severity({"AI Harm Level": "AI tangible harm near-miss"})
        == Severity.HAZARD
    )
    assert cset_severity({"AI Harm Level": "none"}) is None
    assert cset_severity({}) is None
    assert cset_harm_types({"Rights Violation": "maybe", "Lives Lost": ""}) == ()
    assert cset_sectors({"Sector of Deployment": "unclear"}) == ()
    assert cset_sectors(
        {
            "Sector of Deployment": "professional, scientific and technical activities, Education"
        }
    ) == ("professional_scientific", "education")
    assert cset_sectors({"Sector of Deployment": "space tourism"}) == ("space_tourism",)
