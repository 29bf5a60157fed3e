"""Joint testing exercises: participants, submissions, and their agreement.

An exercise is visible only to its participants. A submitted report must be the
submitter's own, assess the exercise's model under its framework, include its suites,
and already be readable by every participant: submitting never widens sharing.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from redline.registry._api import (
    Exercise,
    ExerciseAgreement,
    ExerciseCreate,
    Scope,
    Submission,
)
from redline.registry.server.db import Database
from redline.registry.server.deps import Caller
from redline.registry.server.errors import http_error
from redline.registry.server.models import (
    ExerciseParticipant,
    ExerciseRow,
    ExerciseSubmission,
    Institute,
    ReportPartner,
    ReportRow,
)
from redline.registry.server.store import stored_envelopes
from redline.registry.server.transparency_log import append_log_entry
from redline.reports import Report, compare_reports


def create_exercise(db: Database, caller: Caller, spec: ExerciseCreate) -> Exercise:
    """Open an exercise; the caller always participates."""
    slugs = sorted(set(spec.participants) | {caller.slug})
    with db.writer() as session:
        found = dict(
            session.execute(
                select(Institute.slug, Institute.id).where(Institute.slug.in_(slugs))
            ).all()
        )
        unknown = sorted(set(slugs) - set(found))
        if unknown:
            raise http_error(
                422,
                f"unknown participant institutes: {', '.join(unknown)}",
                "unknown_institute",
            )
        row = ExerciseRow(
            id="ex_" + secrets.token_hex(8),
            title=spec.title,
            description=spec.description,
            model=spec.model,
            framework_id=spec.framework_id,
            suites=json.dumps(sorted(set(spec.suites))),
            created_by=caller.id,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        session.add_all(
            ExerciseParticipant(exercise_seq=row.seq, institute_id=found[s])
            for s in slugs
        )
        session.flush()
        return _exercise(session, row)


def _participants(session: Session, row: ExerciseRow) -> dict[int, str]:
    return dict(
        session.execute(
            select(Institute.id, Institute.slug)
            .join(ExerciseParticipant, ExerciseParticipant.institute_id == Institute.id)
            .where(ExerciseParticipant.exercise_seq == row.seq)
        ).all()
    )


def _exercise(session: Session, row: ExerciseRow) -> Exercise:
    slugs = dict(session.execute(select(Institute.id, Institute.slug)).all())
    subs = session.execute(
        select(ExerciseSubmission, ReportRow.id)
        .join(ReportRow, ReportRow.seq == ExerciseSubmission.report_seq)
        .where(ExerciseSubmission.exercise_seq == row.seq)
    ).all()
    return Exercise(
        id=row.id,
        title=row.title,
        description=row.description,
        model=row.model,
        framework_id=row.framework_id,
        suites=tuple(json.loads(row.suites)),
        participants=tuple(sorted(_participants(session, row).values())),
        created_by=slugs[row.created_by],
        created_at=row.created_at,
        submissions=tuple(
            sorted(
                (
                    Submission(
                        institute=slugs[s.institute_id],
                        report_id=report_id,
                        submitted_at=s.submitted_at,
                    )
                    for s, report_id in subs
                ),
                key=lambda s: s.institute,
            )
        ),
    )


def _visible_exercise(
    session: Session, caller: Caller, exercise_id: str
) -> ExerciseRow:
    row = session.scalar(select(ExerciseRow).where(ExerciseRow.id == exercise_id))
    if row is None or caller.id not in _participants(session, row):
        raise http_error(404, f"no exercise {exercise_id} you participate in")
    return row


def get_exercise(db: Database, caller: Caller, exercise_id: str) -> Exercise:
    """An exercise the caller participates in, with its submissions."""
    with db.reader() as session:
        return _exercise(session, _visible_exercise(session, caller, exercise_id))


def list_exercises(db: Database, caller: Caller) -> list[Exercise]:
    """Exercises the caller participates in, newest first."""
    with db.reader() as session:
        rows = session.scalars(
            select(ExerciseRow)
            .join(
                ExerciseParticipant, ExerciseParticipant.exercise_seq == ExerciseRow.seq
            )
            .where(ExerciseParticipant.institute_id == caller.id)
            .order_by(ExerciseRow.seq.desc())
        )
        return [_exercise(session, row) for row in rows]


def _check_shared(session: Session, report: ReportRow, others: set[int]) -> None:
    if report.scope in (Scope.NETWORK.value, Scope.PUBLIC.value):
        return
    partners = set(
        session.scalars(
            select(ReportPartner.institute_id).where(
                ReportPartner.report_seq == report.seq
            )
        )
    )
    if report.scope == Scope.PRIVATE.value or not others <= partners:
        raise http_error(
            409,
            f"report {report.id} is not shared with every participant; share it "
            "with them (partners or network scope) before submitting",
            "not_shared",
        )


def submit(db: Database, caller: Caller, exercise_id: str, report_id: str) -> Exercise:
    """Submit (or replace) the caller's report to an exercise."""
    with db.writer() as session:
        row = _visible_exercise(session, caller, exercise_id)
        report = session.scalar(select(ReportRow).where(ReportRow.id == report_id))
        if report is None or report.institute_id != caller.id:
            raise http_error(404, f"you have published no report {report_id}")
        problems = []
        if report.model != row.model:
            problems.append(f"it assesses {report.model}, not {row.model}")
        if report.framework_id != row.framework_id:
            problems.append(f"it applies {report.framework_id}, not {row.framework_id}")
        envelope = json.loads(report.envelope)
        suites = {s["suite"] for s in envelope["report"]["suites"]}
        missing = sorted(set(json.loads(row.suites)) - suites)
        if missing:
            problems.append(f"it lacks suites {', '.join(missing)}")
        if problems:
            raise http_error(
                422,
                f"report {report_id} does not fit exercise {exercise_id}: "
                + "; ".join(problems),
                "exercise_mismatch",
            )
        _check_shared(session, report, set(_participants(session, row)) - {caller.id})
        existing = session.get(ExerciseSubmission, (row.seq, caller.id))
        now = datetime.now(UTC)
        append_log_entry(
            session,
            "exercise.submitted",
            report.assessment_digest,
            institute=caller.slug,
            ref=row.id,
        )
        if existing is None:
            session.add(
                ExerciseSubmission(
                    exercise_seq=row.seq,
                    institute_id=caller.id,
                    report_seq=report.seq,
                    submitted_at=now,
                )
            )
        else:
            existing.report_seq, existing.submitted_at = report.seq, now
        session.flush()
        return _exercise(session, row)


def agreement(db: Database, caller: Caller, exercise_id: str) -> ExerciseAgreement:
    """Agreement between the reports submitted so far.

    Suites run under different comparability keys are compared and flagged, not
    refused: telling institutes where their setups differ is part of the exercise.
    Only reports the caller may read now take part: a report narrowed after it was
    submitted is withheld from those it is no longer shared with.
    """
    with db.reader() as session:
        row = _visible_exercise(session, caller, exercise_id)
        participants = _participants(session, row)
        subs = list(
            session.scalars(
                select(ExerciseSubmission).where(
                    ExerciseSubmission.exercise_seq == row.seq
                )
            )
        )
        envelopes = stored_envelopes(session, caller, [s.report_seq for s in subs])
        # Submitted, but since narrowed so that this caller may no longer read it.
        withheld = tuple(
            sorted(
                participants[s.institute_id]
                for s in subs
                if s.report_seq not in envelopes
            )
        )
    reports = sorted(
        (
            (slug, Report.model_validate(envelope["report"]))
            for slug, envelope in envelopes.values()
        ),
        key=lambda pair: pair[0],
    )
    submitted = tuple(slug for slug, _ in reports)
    missing = tuple(sorted(set(participants.values()) - set(submitted)))
    comparison = (
        compare_reports(reports, allow_incomparable=True) if len(reports) >= 2 else None
    )
    return ExerciseAgreement(
        exercise_id=row.id,
        submitted=submitted,
        missing=tuple(m for m in missing if m not in withheld),
        withheld=withheld,
        comparison=comparison,
    )
