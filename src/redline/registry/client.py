"""The registry client: typed calls over httpx, one error type for every failure.

Pass `transport=` to run against an app in-process (`httpx.ASGITransport`) or a
scripted one (`httpx.MockTransport`). Every non-2xx answer becomes a RegistryError
carrying the status, the error code and the request; the token never appears in
messages or reprs. Fetched reports are verified before they are returned. A token is
sent over plain http only to this machine, unless the caller says `insecure=True`:
anyone on the path would otherwise read it.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import TypeAdapter, ValidationError

from redline.errors import ConfigError, RegistryError
from redline.incidents import IncidentRecord, TrendTable
from redline.plans import verify_signed_plan
from redline.registry._api import (
    ErrorResponse,
    Exercise,
    ExerciseAgreement,
    ExerciseCreate,
    Health,
    InstituteInfo,
    KeyChallenge,
    LogEntryPage,
    PublishResult,
    RegisteredKey,
    ReportPage,
    ReportSummary,
    Sharing,
    StoredReport,
)
from redline.registry._incidents_api import (
    AttachRequest,
    ClassificationUpdate,
    ImportResult,
    Incident,
    IncidentPage,
    IncidentSubmission,
    IncidentSummary,
    OpenRequest,
    SubmissionCreate,
    SubmissionPage,
)
from redline.registry._plans_api import PlanScope, RegisteredPlan, StoredPlan
from redline.reports import SigningKey, verify_signed_report
from redline.transparency import (
    ConsistencyProof,
    EntryKind,
    LogReceipt,
    SignedTreeHead,
)

T = TypeVar("T")
DEFAULT_TIMEOUT_S = 30.0
Filter = str | int | date | datetime | None
"""A query filter value; dates and datetimes travel as ISO 8601."""


def _segment(value: str) -> str:
    # An id typed by a person must stay one path segment (`aiid:23` keeps its colon).
    return quote(value, safe=":")


def _params(filters: Mapping[str, Filter]) -> dict[str, str | int]:
    return {
        k: v.isoformat() if isinstance(v, date | datetime) else v
        for k, v in filters.items()
        if v is not None
    }


def check_url(url: str) -> str:
    """A registry base URL without trailing slash.

    Raises:
        ConfigError: Not an http(s) URL with a host.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"registry URL {url!r}: expected http(s)://host[:port], "
            "e.g. http://127.0.0.1:8765"
        )
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport_security(url: str, *, has_token: bool, insecure: bool) -> None:
    """Refuse to send a token over plain http to another machine.

    Raises:
        ConfigError: `url` is http:// to a non-loopback host, a token would be sent,
            and `insecure` is not set.
    """
    parts = urlsplit(url)
    if (
        has_token
        and not insecure
        and parts.scheme == "http"
        and not is_loopback(parts.hostname or "")
    ):
        raise ConfigError(
            f"registry URL {url!r}: refusing to send an API token over plain http to "
            f"{parts.hostname}; use https://, or pass --insecure (env "
            "REDLINE_REGISTRY_INSECURE=1) on a network you trust"
        )


class RegistryClient:
    """A client of one registry, as one institute (or anonymously, without a token).

    Args:
        url: Base URL, e.g. `https://registry.example.org`.
        token: The institute's API token; None reads public reports only.
        transport: httpx transport to use instead of the network.
        timeout: Seconds per request.
        insecure: Allow sending the token over plain http to another machine. A
            caller-supplied `transport` (an in-process app, a test double) decides
            for itself where requests go, so it is not checked.

    Raises:
        ConfigError: The URL is malformed, or would send the token in the clear.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        insecure: bool = False,
    ) -> None:
        self.url = check_url(url)
        check_transport_security(
            self.url, has_token=bool(token), insecure=insecure or transport is not None
        )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=self.url + "/v1",
            headers=headers,
            timeout=timeout,
            transport=transport or httpx.HTTPTransport(retries=2),
        )

    def __repr__(self) -> str:
        return f"RegistryClient({self.url!r})"

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _call(
        self,
        method: str,
        path: str,
        result: type[T] | Any,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> T:
        described = f"{method} {self.url}/v1{path}"
        try:
            response = self._http.request(method, path, json=json, params=params)
        except httpx.HTTPError as exc:
            raise RegistryError(
                f"cannot reach the registry at {self.url}: {exc}", request=described
            ) from None
        if response.is_error:
            raise _error(response, described)
        if result is None:
            return None  # type: ignore[return-value]
        try:
            return TypeAdapter(result).validate_json(response.content)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise RegistryError(
                f"unexpected answer from the registry: {exc.errors()[0]['msg']}",
                status=response.status_code,
                request=described,
            ) from None

    def health(self) -> Health:
        """Service status."""
        return self._call("GET", "/health", Health)

    def me(self) -> InstituteInfo:
        """The calling institute and its keys."""
        return self._call("GET", "/institutes/me", InstituteInfo)

    def institutes(self) -> list[InstituteInfo]:
        """Every institute of the registry."""
        return self._call("GET", "/institutes", list[InstituteInfo])

    def register_key(self, key: SigningKey) -> RegisteredKey:
        """Register a key's public half for the calling institute (needs `keys:manage`).

        The private key signs the registry's challenge, proving the caller holds it;
        it never leaves this process.
        """
        public = key.public.b64
        challenge: KeyChallenge = self._call(
            "POST", "/keys/challenges", KeyChallenge, json={"public_key": public}
        )
        signature = base64.b64encode(key.sign(challenge.message())).decode("ascii")
        body = {"public_key": public, "nonce": challenge.nonce, "signature": signature}
        return self._call("POST", "/keys", RegisteredKey, json=body)

    def revoke_key(self, key_id: str) -> None:
        """Revoke one of the calling institute's keys."""
        self._call("DELETE", f"/keys/{key_id}", None)

    def publish(self, envelope: Mapping[str, Any], sharing: Sharing) -> PublishResult:
        """Publish a signed envelope (as JSON data); safe to retry."""
        body = {"envelope": envelope, "sharing": sharing.model_dump(mode="json")}
        return self._call("POST", "/reports", PublishResult, json=body)

    def fetch(self, report_id: str, *, verify: bool = True) -> StoredReport:
        """A report with its envelope, its signature verified unless told not to.

        Raises:
            SignatureError: The envelope does not verify (it was changed in transit or
                storage).
        """
        stored: StoredReport = self._call("GET", f"/reports/{report_id}", StoredReport)
        if verify:
            verify_signed_report(stored.envelope, source=report_id)
        return stored

    def register_plan(
        self, envelope: Mapping[str, Any], scope: PlanScope = PlanScope.NETWORK
    ) -> RegisteredPlan:
        """Register a signed plan (as JSON data); safe to retry: the first time stands."""
        body = {"envelope": envelope, "scope": scope.value}
        return self._call("POST", "/plans", RegisteredPlan, json=body)

    def plan(self, digest: str, *, verify: bool = True) -> StoredPlan:
        """A registered plan with its registration time, its signature verified.

        Raises:
            SignatureError: The envelope does not verify.
            RegistryError: The digest of the answer is not the one asked for.
        """
        stored: StoredPlan = self._call("GET", f"/plans/{_segment(digest)}", StoredPlan)
        if verify:
            _, checked = verify_signed_plan(stored.envelope, source=digest)
            if checked.digest != digest or stored.registration.digest != digest:
                raise RegistryError(
                    f"the registry answered plan {checked.digest} for {digest}",
                    request=f"GET {self.url}/v1/plans/{digest}",
                )
        return stored

    def page(self, **filters: str | int | datetime | None) -> ReportPage:
        """One page of reports; filters as in `GET /v1/reports`."""
        return self._call("GET", "/reports", ReportPage, params=_params(filters))

    def reports(
        self, **filters: str | int | datetime | None
    ) -> Iterator[ReportSummary]:
        """Every matching report, following pages."""
        cursor: str | None = None
        while True:
            page = self.page(**filters, cursor=cursor)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def update_sharing(self, report_id: str, sharing: Sharing) -> ReportSummary:
        """Change who may read one of the caller's reports."""
        body = sharing.model_dump(mode="json")
        return self._call(
            "PUT", f"/reports/{report_id}/sharing", ReportSummary, json=body
        )

    def create_exercise(self, spec: ExerciseCreate) -> Exercise:
        """Open a joint testing exercise."""
        body = spec.model_dump(mode="json")
        return self._call("POST", "/exercises", Exercise, json=body)

    def exercises(self) -> list[Exercise]:
        """Exercises the caller participates in."""
        return self._call("GET", "/exercises", list[Exercise])

    def exercise(self, exercise_id: str) -> Exercise:
        """One exercise with its submissions."""
        return self._call("GET", f"/exercises/{exercise_id}", Exercise)

    def submit(self, exercise_id: str, report_id: str) -> Exercise:
        """Submit one of the caller's reports to an exercise."""
        path = f"/exercises/{exercise_id}/submissions"
        return self._call("POST", path, Exercise, json={"report_id": report_id})

    def agreement(self, exercise_id: str) -> ExerciseAgreement:
        """Agreement statistics of an exercise."""
        return self._call(
            "GET", f"/exercises/{exercise_id}/agreement", ExerciseAgreement
        )

    def log_tree_head(self, tree_size: int | None = None) -> SignedTreeHead:
        """The transparency log's signed tree head (of its first `tree_size` entries)."""
        params = {} if tree_size is None else {"tree_size": tree_size}
        return self._call("GET", "/log/sth", SignedTreeHead, params=params)

    def log_proof(
        self,
        *,
        index: int | None = None,
        subject: str | None = None,
        kind: EntryKind | None = None,
        tree_size: int | None = None,
    ) -> LogReceipt:
        """An entry, by index or by the digest it records, with its inclusion proof."""
        params = {
            k: v
            for k, v in (
                ("index", index),
                ("subject", subject),
                ("kind", kind),
                ("tree_size", tree_size),
            )
            if v is not None
        }
        return self._call("GET", "/log/proof", LogReceipt, params=params)

    def log_consistency(self, first: int, second: int) -> ConsistencyProof:
        """Proof that the log's tree of `second` entries extends the one of `first`."""
        params = {"first": first, "second": second}
        return self._call("GET", "/log/consistency", ConsistencyProof, params=params)

    def log_entries(self, start: int = 0, limit: int = 100) -> LogEntryPage:
        """Entries of the transparency log from `start`."""
        params = {"start": start, "limit": limit}
        return self._call("GET", "/log/entries", LogEntryPage, params=params)

    def log_receipt(
        self, subject: str, *, kind: EntryKind | None = None, since: Iterable[int] = ()
    ) -> LogReceipt:
        """A receipt of the entry recording `subject`, to check offline.

        It holds the entry's proof in the current tree head, and consistency proofs
        from each size in `since`. Nothing here is trusted: `redline.transparency.check_receipt` checks it all.
        """
        head = self.log_tree_head()
        found = self.log_proof(subject=subject, kind=kind, tree_size=head.tree_size)
        proofs = []
        for size in sorted(set(since)):
            # A saved head larger than the log now has no proof to ask for: the
            # check then reports the rollback.
            if 0 < size < head.tree_size:
                proofs.append(self.log_consistency(size, head.tree_size))
        return found.model_copy(
            update={"tree_head": head, "consistency": tuple(proofs)}
        )

    def import_incidents(
        self, source: str, records: Iterable[IncidentRecord | Mapping[str, Any]]
    ) -> ImportResult:
        """Create or update one batch of records from `source` (needs `incidents:edit`).

        Records may be models or JSON data; the service validates each on its own
        and reports the ones it skipped.
        """
        body = {
            "source": source,
            "records": [
                r.model_dump(mode="json") if isinstance(r, IncidentRecord) else r
                for r in records
            ],
        }
        return self._call("POST", "/incidents/import", ImportResult, json=body)

    def incident_page(self, **filters: Filter) -> IncidentPage:
        """One page of incidents; filters as in `GET /v1/incidents`."""
        return self._call("GET", "/incidents", IncidentPage, params=_params(filters))

    def incidents(self, **filters: Filter) -> Iterator[IncidentSummary]:
        """Every matching incident, following pages."""
        cursor: str | None = None
        while True:
            page = self.incident_page(**filters, cursor=cursor)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def incident(self, incident_id: str) -> Incident:
        """One incident by registry id or `source:external_id`."""
        return self._call("GET", f"/incidents/{_segment(incident_id)}", Incident)

    def incident_trends(self, **query: Filter) -> TrendTable:
        """Incident counts per period and group (`by`, `interval`, `top`, filters)."""
        return self._call("GET", "/incidents/trends", TrendTable, params=_params(query))

    def submit_incident(self, submission: SubmissionCreate) -> IncidentSubmission:
        """Submit an incident report; the answer carries suggested incidents."""
        body = submission.model_dump(mode="json")
        return self._call(
            "POST", "/incidents/submissions", IncidentSubmission, json=body
        )

    def incident_submissions(
        self, status: str | None = None, limit: int = 100
    ) -> Iterator[IncidentSubmission]:
        """The caller's submissions (an editor's: everyone's), newest first."""
        cursor: str | None = None
        while True:
            params = _params({"status": status, "limit": limit, "cursor": cursor})
            page: SubmissionPage = self._call(
                "GET", "/incidents/submissions", SubmissionPage, params=params
            )
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def incident_submission(self, submission_id: str) -> IncidentSubmission:
        """One submission."""
        return self._call(
            "GET",
            f"/incidents/submissions/{_segment(submission_id)}",
            IncidentSubmission,
        )

    def attach_submission(
        self, submission_id: str, incident_id: str
    ) -> IncidentSubmission:
        """Attach a pending submission to an incident (needs `incidents:edit`)."""
        body = AttachRequest(incident_id=incident_id).model_dump(mode="json")
        path = f"/incidents/submissions/{_segment(submission_id)}/attach"
        return self._call("POST", path, IncidentSubmission, json=body)

    def open_submission(
        self, submission_id: str, overrides: OpenRequest | None = None
    ) -> IncidentSubmission:
        """Open a pending submission as a new incident (needs `incidents:edit`)."""
        body = (overrides or OpenRequest()).model_dump(mode="json", exclude_unset=True)
        path = f"/incidents/submissions/{_segment(submission_id)}/open"
        return self._call("POST", path, IncidentSubmission, json=body)

    def set_classification(
        self, incident_id: str, namespace: str, update: ClassificationUpdate
    ) -> Incident:
        """Set an editor's classification of an incident (needs `incidents:edit`)."""
        path = (
            f"/incidents/{_segment(incident_id)}/classifications/{_segment(namespace)}"
        )
        return self._call("PUT", path, Incident, json=update.model_dump(mode="json"))


def _error(response: httpx.Response, described: str) -> RegistryError:
    try:
        body = ErrorResponse.model_validate_json(response.content).error
        message, code = body.message, body.code
    except ValidationError:
        message, code = response.text[:200] or response.reason_phrase, None
    return RegistryError(
        f"registry refused {described} ({response.status_code}): {message}",
        status=response.status_code,
        request=described,
        code=code,
    )
