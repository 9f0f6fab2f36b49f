"""Onboarding progress queries; every one filtered by tenant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consentgate.runtime.onboarding.flow import Progress, QuestionStatus
from consentgate.runtime.onboarding.models import OnboardingAnswerRow, OnboardingScreenRow


class ProgressRepository:
    def __init__(self, session: Session, *, tenant: str) -> None:
        self._session = session
        self._tenant = tenant

    def load(self, subject: str) -> Progress:
        answers = self._session.scalars(
            select(OnboardingAnswerRow).where(
                OnboardingAnswerRow.tenant_id == self._tenant, OnboardingAnswerRow.subject == subject
            )
        )
        passed = self._session.scalars(
            select(OnboardingScreenRow.screen_id).where(
                OnboardingScreenRow.tenant_id == self._tenant, OnboardingScreenRow.subject == subject
            )
        )
        return Progress(
            closed={row.question: QuestionStatus(row.status) for row in answers},
            passed=frozenset(passed),
        )

    def close(
        self, subject: str, screen_id: str, questions: Iterable[str], status: QuestionStatus, at: datetime
    ) -> None:
        for question in questions:
            row = self._session.get(
                OnboardingAnswerRow, {"tenant_id": self._tenant, "subject": subject, "question": question}
            )
            if row is None:
                row = OnboardingAnswerRow(tenant_id=self._tenant, subject=subject, question=question)
                self._session.add(row)
            row.screen_id = screen_id
            row.status = status.value
            row.updated_at = at

    def pass_screen(self, subject: str, screen_id: str, at: datetime) -> None:
        if (
            self._session.get(
                OnboardingScreenRow, {"tenant_id": self._tenant, "subject": subject, "screen_id": screen_id}
            )
            is None
        ):
            self._session.add(
                OnboardingScreenRow(
                    tenant_id=self._tenant, subject=subject, screen_id=screen_id, passed_at=at
                )
            )

    def reopen(self, subject: str, question: str) -> bool:
        """Opens a refused question again; answered questions stay answered. True when one was opened."""
        result = self._session.execute(
            delete(OnboardingAnswerRow).where(
                OnboardingAnswerRow.tenant_id == self._tenant,
                OnboardingAnswerRow.subject == subject,
                OnboardingAnswerRow.question == question,
                OnboardingAnswerRow.status == QuestionStatus.REFUSED.value,
            )
        )
        return bool(getattr(result, "rowcount", 0))
