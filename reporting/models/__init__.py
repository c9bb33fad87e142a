"""The reporting app's models: differentiation criteria and evaluations (R-DIF), the public transparency
snapshot and the factories' remediation accounts (R-PUB)."""

from reporting.models.differentiation import CriterionJudgement, Evaluation, ProgressFeedback
from reporting.models.documents import RenderedDocument
from reporting.models.reference import DifferentiationCriterion
from reporting.models.transparency import (
    PublicAssessment,
    PublicFinding,
    PublicListing,
    PublicListingIssue,
    Remediation,
    RemediationFile,
)

__all__ = [
    "CriterionJudgement",
    "DifferentiationCriterion",
    "Evaluation",
    "ProgressFeedback",
    "PublicAssessment",
    "PublicFinding",
    "PublicListing",
    "PublicListingIssue",
    "Remediation",
    "RemediationFile",
    "RenderedDocument",
]
