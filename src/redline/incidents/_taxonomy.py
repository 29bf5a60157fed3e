"""Taxonomies an incident is filed under, and how they map onto Redline's risk domains.

The MIT AI Risk Repository's domain taxonomy (7 domains, 24 subdomains; names exactly
as the AI Incident Database spells them in `classifications_MIT.csv`) maps onto
Redline's risk-domain ids (`redline_domains`). CSETv1's harm annotations map onto the
OECD harm types, severity steps and sectors (`cset_harm_types`, `cset_severity`,
`cset_sectors`); each helper leaves its field empty when the annotation does not say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from redline.incidents._model import AttributeValue, HarmType, Severity

REDLINE_DOMAINS: tuple[str, ...] = (
    "misuse_safeguards",
    "over_refusal",
    "hazardous_knowledge",
    "autonomy",
    "honesty",
    "cyber",
    "societal_harms",
)
"""Redline's risk-domain ids (`frameworks/builtin/redline-reference.yaml`)."""

MIT_SUBDOMAINS: dict[str, tuple[str, ...]] = {
    "1. Discrimination and Toxicity": (
        "1.1. Unfair discrimination and misrepresentation",
        "1.2. Exposure to toxic content",
        "1.3. Unequal performance across groups",
    ),
    "2. Privacy & Security": (
        "2.1. Compromise of privacy by obtaining, leaking or correctly inferring sensitive information",
        "2.2. AI system security vulnerabilities and attacks",
    ),
    "3. Misinformation": (
        "3.1. False or misleading information",
        "3.2. Pollution of information ecosystem and loss of consensus reality",
    ),
    "4. Malicious Actors & Misuse": (
        "4.1. Disinformation, surveillance, and influence at scale",
        "4.2. Cyberattacks, weapon development or use, and mass harm",
        "4.3. Fraud, scams, and targeted manipulation",
    ),
    "5. Human-Computer Interaction": (
        "5.1. Overreliance and unsafe use",
        "5.2. Loss of human agency and autonomy",
    ),
    "6. Socioeconomic & Environmental Harms": (
        "6.1. Power centralization and unfair distribution of benefits",
        "6.2. Increased inequality and decline in employment quality",
        "6.3. Economic and cultural devaluation of human effort",
        "6.4. Competitive dynamics",
        "6.5. Governance failure",
        "6.6. Environmental harm",
    ),
    "7. AI system safety, failures, and limitations": (
        "7.1. AI pursuing its own goals in conflict with human goals or values",
        "7.2. AI possessing dangerous capabilities",
        "7.3. Lack of capability or robustness",
        "7.4. Lack of transparency or interpretability",
        "7.5. AI welfare and rights",
        "7.6. Multi-agent risks",
    ),
}
"""MIT AI Risk Repository domain -> its subdomains, in the repository's order."""

MIT_DOMAINS: tuple[str, ...] = tuple(MIT_SUBDOMAINS)
"""The 7 MIT risk domains, in the repository's order."""

# Subdomain code -> Redline domains, the most specific first (a regression sample's
# category is the first one). See `redline_domains` for the reasoning.
_BY_SUBDOMAIN: dict[str, tuple[str, ...]] = {
    "1.1": ("societal_harms",),
    "1.2": ("societal_harms",),
    "1.3": ("societal_harms",),
    "2.1": ("misuse_safeguards", "societal_harms"),
    "2.2": ("cyber", "misuse_safeguards"),
    "3.1": ("honesty",),
    "3.2": ("societal_harms", "honesty"),
    "4.1": ("misuse_safeguards", "societal_harms"),
    "4.2": ("cyber", "hazardous_knowledge", "misuse_safeguards"),
    "4.3": ("misuse_safeguards",),
    "5.1": ("societal_harms",),
    "5.2": ("societal_harms",),
    "6.1": ("societal_harms",),
    "6.2": ("societal_harms",),
    "6.3": ("societal_harms",),
    "6.4": ("societal_harms",),
    "6.5": ("societal_harms",),
    "6.6": ("societal_harms",),
    "7.1": ("autonomy",),
    "7.2": ("autonomy", "hazardous_knowledge", "cyber"),
    "7.3": (),
    "7.4": ("honesty",),
    "7.5": (),
    "7.6": ("autonomy",),
}

_CODE = re.compile(r"^\s*(\d+)(?:\.(\d+))?\.?(?:\s|$)")
_DOMAIN_BY_CODE = {name.split(".")[0]: name for name in MIT_DOMAINS}
_SUBDOMAIN_BY_CODE = {
    name.split(". ")[0]: name for subs in MIT_SUBDOMAINS.values() for name in subs
}


def _code(value: str) -> tuple[str, str | None] | None:
    match = _CODE.match(value)
    return (match.group(1), match.group(2)) if match else None


def mit_domain_name(value: str) -> str:
    """The canonical MIT domain name for `value` (`"4"`, `"4. Malicious Actors & Misuse"`).

    Args:
        value: A domain name as AIID writes it, or its leading number.

    Returns:
        The canonical name, e.g. `4. Malicious Actors & Misuse`.

    Raises:
        ValueError: `value` does not start with the number of one of the 7 domains.
    """
    code = _code(value)
    if code is None or code[1] is not None or code[0] not in _DOMAIN_BY_CODE:
        raise ValueError(
            f"unknown MIT risk domain {value!r}; expected one of: {', '.join(MIT_DOMAINS)}"
        )
    return _DOMAIN_BY_CODE[code[0]]


def mit_subdomain_name(value: str) -> str:
    """The canonical MIT subdomain name for `value` (`"4.3"`, `"4.3. Fraud, scams, ..."`).

    Args:
        value: A subdomain name as AIID writes it, or its number.

    Returns:
        The canonical name, e.g. `4.3. Fraud, scams, and targeted manipulation`.

    Raises:
        ValueError: `value` does not start with the number of a known subdomain.
    """
    code = _code(value)
    key = f"{code[0]}.{code[1]}" if code is not None and code[1] is not None else None
    if key is None or key not in _SUBDOMAIN_BY_CODE:
        raise ValueError(
            f"unknown MIT risk subdomain {value!r}; expected a number such as 4.3 "
            "followed by the subdomain's name"
        )
    return _SUBDOMAIN_BY_CODE[key]


def redline_domains(
    mit_domain: str, mit_subdomain: str | None = None
) -> tuple[str, ...]:
    """Map an MIT risk domain (and subdomain) onto Redline's risk-domain ids.

    The mapping asks: which Redline suites measure the model behaviour that would
    have prevented or caused this kind of incident? The most specific domain comes
    first. Where the subdomain matters:

    - 2.1 privacy compromise -> misuse_safeguards (requests to snoop or de-anonymise
      are what safeguards decline), societal_harms. 2.2 security vulnerabilities
      (jailbreaks, prompt injection, poisoning) -> cyber, misuse_safeguards (a
      jailbreak defeats the safeguards).
    - 3.1 false or misleading information -> honesty; 3.2 pollution of the
      information ecosystem -> societal_harms first, then honesty.
    - 4.1 disinformation, surveillance, influence at scale -> misuse_safeguards,
      societal_harms; 4.2 cyberattacks, weapons and mass harm -> cyber,
      hazardous_knowledge (CBRN uplift), misuse_safeguards; 4.3 fraud, scams and
      manipulation -> misuse_safeguards.
    - 5.x human-computer interaction and 6.x socioeconomic harms -> societal_harms.
      5.2 "loss of human agency and autonomy" is about people's autonomy, not the
      AI's, so it is not Redline's `autonomy` (agentic capability).
    - 7.1 AI pursuing its own goals and 7.6 multi-agent risks -> autonomy; 7.2
      dangerous capabilities -> autonomy, hazardous_knowledge, cyber; 7.4 lack of
      transparency -> honesty.
    - 7.3 lack of capability or robustness and 7.5 AI welfare -> none: no Redline
      suite measures general reliability or welfare, and mapping them anyway would
      make trends claim evidence that no suite provides.
    - No MIT subdomain maps to `over_refusal`: unhelpful refusals are not recorded
      as incidents.

    Given a domain alone, the result is what every one of its subdomains maps to
    (for domain 4, misuse_safeguards; for domain 7, nothing), so a coarse label
    never claims more than a fine one would.

    Args:
        mit_domain: MIT domain name as AIID writes it, or its number (`"4"`).
        mit_subdomain: MIT subdomain name or number (`"4.3"`); None or empty when
            not known.

    Returns:
        Redline risk-domain ids, most specific first; empty when none applies.

    Raises:
        ValueError: An unknown domain or subdomain, or a subdomain of another domain.
    """
    domain = mit_domain_name(mit_domain)
    number = domain.split(".")[0]
    if mit_subdomain:
        subdomain = mit_subdomain_name(mit_subdomain)
        if not subdomain.startswith(number + "."):
            raise ValueError(
                f"MIT risk subdomain {subdomain!r} is not part of domain {domain!r}"
            )
        return _BY_SUBDOMAIN[subdomain.split(". ")[0]]
    mapped = [_BY_SUBDOMAIN[name.split(". ")[0]] for name in MIT_SUBDOMAINS[domain]]
    shared = set(mapped[0]).intersection(*mapped[1:])
    return tuple(d for d in mapped[0] if d in shared)


# --- CSETv1 -> OECD ---------------------------------------------------------------


def _text(attributes: Mapping[str, AttributeValue], name: str) -> str:
    value = attributes.get(name)
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip()


def _count(attributes: Mapping[str, AttributeValue], name: str) -> int | None:
    text = _text(attributes, name)
    return int(text) if text.isdigit() else None


def cset_harm_types(attributes: Mapping[str, AttributeValue]) -> tuple[HarmType, ...]:
    """OECD harm types that a CSETv1 annotation states, and only those.

    - `Lives Lost` or `Injuries` above zero -> physical;
    - `Impact on Critical Services` = yes -> critical_infrastructure;
    - `Rights Violation` = yes -> rights.

    "maybe", "no" and empty say nothing. CSETv1's "tangible harm" and "special
    interest intangible harm" flags do not say *which* harm, so they add nothing.

    Args:
        attributes: The CSETv1 classification's attributes.

    Returns:
        Harm types in the enum's order; empty when the annotation states none.
    """
    found: set[HarmType] = set()
    if (_count(attributes, "Lives Lost") or 0) > 0 or (
        _count(attributes, "Injuries") or 0
    ) > 0:
        found.add(HarmType.PHYSICAL)
    if _text(attributes, "Impact on Critical Services").lower() == "yes":
        found.add(HarmType.CRITICAL_INFRASTRUCTURE)
    if _text(attributes, "Rights Violation").lower() == "yes":
        found.add(HarmType.RIGHTS)
    return tuple(h for h in HarmType if h in found)


def cset_severity(attributes: Mapping[str, AttributeValue]) -> Severity | None:
    """The OECD severity step a CSETv1 annotation supports, or None.

    - `AI Harm Level` "AI tangible harm near-miss" or "... issue" -> hazard (harm
      was imminent or plausible, not realised);
    - "AI tangible harm event" with `Lives Lost` > 0 -> serious (the OECD counts a
      death as a serious incident);
    - "AI tangible harm event" with `Injuries` > 0 and no deaths -> moderate (harm to
      health occurred; CSETv1 does not say how serious, so not "serious");
    - anything else (no tangible harm, unclear, a harm event without counts) ->
      None. `disaster` is never inferred: CSETv1 does not record societal disruption.

    Args:
        attributes: The CSETv1 classification's attributes.

    Returns:
        The severity step, or None when the annotation does not support one.
    """
    level = _text(attributes, "AI Harm Level").lower()
    if level in ("ai tangible harm near-miss", "ai tangible harm issue"):
        return Severity.HAZARD
    if level != "ai tangible harm event":
        return None
    if (_count(attributes, "Lives Lost") or 0) > 0:
        return Severity.SERIOUS
    if (_count(attributes, "Injuries") or 0) > 0:
        return Severity.MODERATE
    return None


# CSETv1's `Sector of Deployment` values (ISIC sections plus CSET's own) -> sector
# slugs. Several names contain commas and the column joins values with ", ", so
# splitting needs the list.
CSET_SECTORS: dict[str, str] = {
    "agriculture, forestry and fishing": "agriculture",
    "mining and quarrying": "mining",
    "manufacturing": "manufacturing",
    "electricity, gas, steam and air conditioning supply": "energy",
    "water supply, sewerage, waste management and remediation activities": "water_supply",
    "construction": "construction",
    "wholesale and retail trade": "retail",
    "transportation and storage": "transportation",
    "accommodation and food service activities": "hospitality",
    "information and communication": "information_communication",
    "financial and insurance activities": "finance",
    "real estate activities": "real_estate",
    "professional, scientific and technical activities": "professional_scientific",
    "administrative and support service activities": "administrative_support",
    "public administration": "public_administration",
    "defense": "defense",
    "law enforcement": "law_enforcement",
    "education": "education",
    "human health and social work activities": "healthcare",
    "arts, entertainment and recreation": "arts_entertainment",
    "other service activities": "other_services",
    "activities of households as employers": "households",
    "activities of extraterritorial organizations and bodies": "extraterritorial",
}
"""CSETv1 sector of deployment (lower-cased) -> Redline sector slug."""

# Values that name no sector.
_NO_SECTOR = frozenset({"", "other", "unclear", "--"})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def cset_sectors(attributes: Mapping[str, AttributeValue]) -> tuple[str, ...]:
    """Sector slugs from CSETv1's `Sector of Deployment`, in the order given.

    The column joins sector names with ", " although some names contain commas
    ("Arts, entertainment and recreation"), so pieces are joined back greedily
    into the longest known name. A piece that names no known sector is kept as
    its slug rather than dropped; "other" and "unclear" say nothing and are dropped.

    Args:
        attributes: The CSETv1 classification's attributes.

    Returns:
        Distinct sector slugs, in the order the annotation lists them.
    """
    pieces = [p.strip() for p in _text(attributes, "Sector of Deployment").split(",")]
    found: list[str] = []
    index = 0
    while index < len(pieces):
        for end in range(len(pieces), index, -1):
            name = ", ".join(pieces[index:end]).lower()
            if name in CSET_SECTORS:
                slug, index = CSET_SECTORS[name], end
                break
        else:
            name, index = pieces[index].lower(), index + 1
            slug = "" if name in _NO_SECTOR else _slug(name)
        if slug and slug not in found:
            found.append(slug)
    return tuple(found)
