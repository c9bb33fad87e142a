"""The assessment app's models: reference data (clusters, critical issues), the question bank (CAT) and
assessments with their findings."""

from assessments.models.assessment import (
    Assessment,
    Evidence,
    Finding,
    FindingMessage,
    FindingRevision,
    PriorityNote,
    Schedule,
)
from assessments.models.cat import CompliancePoint, Question
from assessments.models.reference import Cluster, CriticalIssue, CriticalIssueException

__all__ = [
    "Assessment",
    "Cluster",
    "CompliancePoint",
    "CriticalIssue",
    "CriticalIssueException",
    "Evidence",
    "Finding",
    "FindingMessage",
    "FindingRevision",
    "PriorityNote",
    "Question",
    "Schedule",
]
