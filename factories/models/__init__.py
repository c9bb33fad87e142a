"""The factories app's models: country programmes, factories, registration, invoices, buyers, the committee."""

from factories.models.buyers import Buyer, BuyerAuthorisation, BuyerRead, SourcingLink
from factories.models.committee import (
    Committee,
    CommitteeMeeting,
    CommitteeMember,
    FollowUpAction,
    MeetingOutcome,
)
from factories.models.factory import (
    Country,
    Factory,
    Invoice,
    Modality,
    OnsiteException,
    ProductionStatus,
    Sector,
    ServiceCycle,
)
from factories.models.milestones import Milestone, MilestoneNotice
from factories.models.registration import Registration

__all__ = [
    "Buyer",
    "BuyerAuthorisation",
    "BuyerRead",
    "Committee",
    "CommitteeMeeting",
    "CommitteeMember",
    "Country",
    "Factory",
    "FollowUpAction",
    "Invoice",
    "MeetingOutcome",
    "Milestone",
    "MilestoneNotice",
    "Modality",
    "OnsiteException",
    "ProductionStatus",
    "Registration",
    "Sector",
    "ServiceCycle",
    "SourcingLink",
]
