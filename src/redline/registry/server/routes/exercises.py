"""Joint testing exercises."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from redline.registry._api import (
    Exercise,
    ExerciseAgreement,
    ExerciseCreate,
    SubmissionRequest,
)
from redline.registry.server import exercises
from redline.registry.server.deps import DB, ExerciseCaller

router = APIRouter(tags=["exercises"])

ExerciseId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/exercises", response_model=Exercise, status_code=status.HTTP_201_CREATED)
def create_exercise(db: DB, caller: ExerciseCaller, body: ExerciseCreate) -> Exercise:
    """Open a joint testing exercise."""
    return exercises.create_exercise(db, caller, body)


@router.get("/exercises", response_model=list[Exercise])
def list_exercises(db: DB, caller: ExerciseCaller) -> list[Exercise]:
    """Exercises you participate in."""
    return exercises.list_exercises(db, caller)


@router.get("/exercises/{exercise_id}", response_model=Exercise)
def get_exercise(db: DB, caller: ExerciseCaller, exercise_id: ExerciseId) -> Exercise:
    """An exercise and who has submitted."""
    return exercises.get_exercise(db, caller, exercise_id)


@router.post("/exercises/{exercise_id}/submissions", response_model=Exercise)
def submit_report(
    db: DB, caller: ExerciseCaller, exercise_id: ExerciseId, body: SubmissionRequest
) -> Exercise:
    """Submit one of your reports (replacing any earlier submission)."""
    return exercises.submit(db, caller, exercise_id, body.report_id)


@router.get("/exercises/{exercise_id}/agreement", response_model=ExerciseAgreement)
def get_agreement(
    db: DB, caller: ExerciseCaller, exercise_id: ExerciseId
) -> ExerciseAgreement:
    """Agreement statistics over the reports submitted so far."""
    return exercises.agreement(db, caller, exercise_id)
