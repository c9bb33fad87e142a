"""Service differentiation (R-DIF): evaluate the nine criteria of a factory and move it between stages.

* R-DIF-1: an evaluation needs two closed (finalised or published) assessments.
* R-DIF-2: criteria 1, 6 and 7 are computed here and cannot be overridden; 2-5, 8 and 9 are judged by the
  factory's enterprise advisor (or the country's programme manager), each with a rationale.
* R-DIF-3: any critical-issue non-compliance keeps the factory in stage 1 (criterion 1 is then unmet); all nine
  met → stage 2; a stage 2 factory whose new evaluation fails a criterion goes back to stage 1. Every stage
  change goes through `stage_change`: the factory's history, its open cycle replanned (R-CYC-2: stage 2 is
  assessed once every 24 months), and an acknowledgement to the factory's users and its authorised buyers.
* R-DIF-4: `progress` computes criteria 1, 6 and 7 live at any time, marked provisional before two assessments.

Choices where the rules are silent: a management-system question answered "not applicable" or left unanswered
does not satisfy criterion 7; criterion 6 counts any self-diagnosed item of the cluster, whatever its status.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from advisory.models import ImprovementPlanItem
from assessments.models import Assessment, Cluster, Finding
from assessments.services.questions import questions_of
from betterwork.accounts.models import Role, User
from betterwork.common.exceptions import ApplicationError
from betterwork.common.notifications import notify
from factories.models import CommitteeMeeting, Factory
from factories.services.common import require, save_with_history
from factories.services.cycles import cycles_replan_open
from reporting import rules_differentiation  # noqa: F401  (registers the permission wherever the service is used)
from reporting.models import CriterionJudgement, DifferentiationCriterion, Evaluation, ProgressFeedback

COMPUTED = (1, 6, 7)
JUDGED = (2, 3, 4, 5, 8, 9)
ASSESSMENTS_NEEDED = 2
MEETINGS_NEEDED = 6  # criterion 2: at least 6 meetings with outcomes in the past year
MAX_RATIONALE = 5_000
MAX_FEEDBACK = 20_000
ACTION = "evaluate_differentiation"


def page_url(factory: Factory) -> str:
    return f"/factories/{factory.pk}/differentiation/"


@dataclass
class Computed:
    number: int
    met: bool
    rationale: str


@dataclass
class Suggestion:
    number: int
    met: bool | None
    note: str


@dataclass
class Progress:
    """Where a factory stands toward stage 2, live (R-DIF-4)."""

    factory: Factory
    assessments: list[Assessment]
    computed: dict[int, Computed]
    suggestions: dict[int, Suggestion] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return len(self.assessments) >= ASSESSMENTS_NEEDED

    @property
    def provisional(self) -> bool:
        return not self.eligible


def closed_assessments(factory: Factory) -> list[Assessment]:
    """The factory's finalised or published assessments, most recent first (R-DIF-1)."""
    return list(Assessment.objects.filter(factory=factory, status__in=Assessment.CLOSED).order_by("-started_on", "-pk"))


def _codes(values: Any) -> str:
    return ", ".join(sorted(set(values)))


def criterion_1(assessments: list[Assessment]) -> Computed:
    """No non-compliance on any critical-issue question in the two most recent closed assessments."""
    recent = assessments[:ASSESSMENTS_NEEDED]
    critical = list(
        Finding.objects.filter(
            assessment__in=recent, result=Finding.Result.NON_COMPLIANT, question__critical_issue__isnull=False
        )
        .values_list("assessment__started_on", "question__critical_issue_id")
        .order_by("-assessment__started_on")
    )
    if critical:
        by_date: dict[Any, set[str]] = {}
        for started_on, issue in critical:
            by_date.setdefault(started_on, set()).add(issue)
        found = "; ".join(f"{day}: {_codes(issues)}" for day, issues in by_date.items())
        return Computed(1, False, _("Critical issues found non-compliant (%(found)s).") % {"found": found})
    if len(recent) < ASSESSMENTS_NEEDED:
        return Computed(
            1,
            False,
            _("No critical issue found so far, but two assessments are needed (%(n)s closed).") % {"n": len(recent)},
        )
    dates = ", ".join(str(a.started_on) for a in recent)
    return Computed(
        1, True, _("No non-compliance on critical issues in the assessments of %(dates)s.") % {"dates": dates}
    )


def criterion_7(assessments: list[Assessment]) -> Computed:
    """All 14 HR and OSH management-system questions compliant in the most recent closed assessment."""
    if not assessments:
        return Computed(7, False, _("No closed assessment yet."))
    latest = assessments[0]
    questions = dict(
        questions_of(latest).exclude(management_system="").values_list("global_code", "code").order_by("global_code")
    )
    compliant = set(
        Finding.objects.filter(
            assessment=latest, question__code__in=questions.values(), result=Finding.Result.COMPLIANT
        ).values_list("question__global_code", flat=True)
    )
    missing = sorted(set(questions) - compliant)
    if not questions:
        return Computed(7, False, _("The assessment of %(date)s asked no management-system question.") % {
            "date": latest.started_on})  # fmt: skip
    if missing:
        return Computed(
            7,
            False,
            _("Management-system questions not found compliant in the assessment of %(date)s: %(codes)s.")
            % {"date": latest.started_on, "codes": ", ".join(missing)},
        )
    return Computed(
        7,
        True,
        _("All %(n)s management-system questions compliant in the assessment of %(date)s.")
        % {"n": len(questions), "date": latest.started_on},
    )


def criterion_6(factory: Factory, assessments: list[Assessment]) -> Computed:
    """For each cluster where the most recent assessment found non-compliance, the improvement plan holds at
    least one self-diagnosed item of that cluster (R-ADV-2)."""
    if not assessments:
        return Computed(6, False, _("No closed assessment yet."))
    latest = assessments[0]
    needed = set(
        Finding.objects.filter(assessment=latest, result=Finding.Result.NON_COMPLIANT).values_list(
            "question__cluster_id", flat=True
        )
    )
    diagnosed = set(
        ImprovementPlanItem.objects.filter(
            plan__factory=factory, source=ImprovementPlanItem.Source.SELF_DIAGNOSIS, cluster_id__in=needed
        ).values_list("cluster_id", flat=True)
    )
    missing = needed - diagnosed
    if missing:
        names = [str(c.name) for c in Cluster.objects.filter(code__in=missing).order_by("position")]
        return Computed(
            6,
            False,
            _("No self-diagnosed improvement in clusters with non-compliance: %(clusters)s.")
            % {"clusters": ", ".join(names)},
        )
    if not needed:
        return Computed(6, True, _("The assessment of %(date)s found no non-compliance.") % {"date": latest.started_on})
    return Computed(
        6,
        True,
        _("The committee self-diagnosed at least one improvement in each of the %(n)s clusters with non-compliance.")
        % {"n": len(needed)},
    )


def suggestions(factory: Factory) -> dict[int, Suggestion]:
    """Hints for the advisor's judgement (never binding): criterion 2 from the committee's meetings of the past
    year, criterion 9 from the training history of the open cycle."""
    today = factory.country.local_today()
    meetings = (
        CommitteeMeeting.objects.filter(committee__factory=factory, held_on__gt=today - timedelta(days=365))
        .annotate(n=Count("outcomes"))
        .aggregate(all=Count("pk"), with_outcomes=Count("pk", filter=Q(n__gt=0)))
    )
    result = {
        2: Suggestion(
            2,
            meetings["with_outcomes"] >= MEETINGS_NEEDED,
            _("%(with)s of %(all)s committee meetings of the past year recorded outcomes (at least %(need)s needed).")
            % {"with": meetings["with_outcomes"], "all": meetings["all"], "need": MEETINGS_NEEDED},
        )
    }
    cycle = factory.cycles.filter(status="open").first()
    if cycle is not None:
        try:
            from training.selectors import training_summary
        except ImportError:  # the training app is optional here
            return result
        figures = training_summary(cycle)
        result[9] = Suggestion(
            9,
            None,
            _("This cycle: %(booked)s participant-days booked, %(attended)s attended, %(people)s people trained, "
              "%(seminars)s seminars.")
            % {"booked": figures["participant_days_booked"], "attended": figures["participant_days_attended"],
               "people": figures["people_trained"], "seminars": figures["seminars"]},
        )  # fmt: skip
    return result


def progress(factory: Factory, *, with_suggestions: bool = False) -> Progress:
    """The computed criteria, live; provisional before two closed assessments (R-DIF-4)."""
    assessments = closed_assessments(factory)
    computed = {
        1: criterion_1(assessments),
        6: criterion_6(factory, assessments),
        7: criterion_7(assessments),
    }
    return Progress(
        factory=factory,
        assessments=assessments,
        computed=computed,
        suggestions=suggestions(factory) if with_suggestions else {},
    )


def _number(key: Any) -> int:
    try:
        return int(key)
    except (TypeError, ValueError):
        raise ApplicationError(_("“%(key)s” is not a criterion number.") % {"key": key}, field="judgements") from None


def _clean_judgements(judgements: dict[Any, dict[str, Any]]) -> dict[int, tuple[bool, str]]:
    """Every judged criterion needs `met` (true or false) and a rationale; computed ones cannot be judged."""
    given = {}
    for key, value in (judgements or {}).items():
        number = _number(key)
        if number in COMPUTED:
            raise ApplicationError(
                _("Criterion %(n)s is computed by the platform from the assessments and the plan; it is not judged.")
                % {"n": number},
                field=f"criterion_{number}",
            )
        if number not in JUDGED:
            raise ApplicationError(_("There is no criterion %(n)s.") % {"n": number}, field="judgements")
        given[number] = value if isinstance(value, dict) else {}
    cleaned = {}
    for number in JUDGED:
        entry = given.get(number, {})
        met = entry.get("met")
        if not isinstance(met, bool):
            raise ApplicationError(
                _("Criterion %(n)s: say whether it is met.") % {"n": number}, field=f"criterion_{number}_met"
            )
        rationale = str(entry.get("rationale") or "").strip()
        if not rationale:
            raise ApplicationError(
                _("Criterion %(n)s: give the rationale for your judgement.") % {"n": number},
                field=f"criterion_{number}_rationale",
            )
        if len(rationale) > MAX_RATIONALE:
            raise ApplicationError(
                _("Criterion %(n)s: the rationale is longer than %(max)s characters.")
                % {"n": number, "max": MAX_RATIONALE},
                field=f"criterion_{number}_rationale",
            )
        cleaned[number] = (met, rationale)
    return cleaned


def evaluation_run(
    *, factory: Factory, actor: Any, judgements: dict[Any, dict[str, Any]], feedback: str = ""
) -> Evaluation:
    """Evaluate the nine criteria (R-DIF-1..3): one evaluation row with its nine judgements, in one transaction;
    the stage follows (stage 2 when all nine are met, else stage 1) through `stage_change`."""
    require(actor, ACTION, factory)
    feedback = (feedback or "").strip()
    if len(feedback) > MAX_FEEDBACK:
        raise ApplicationError(
            _("The feedback is longer than %(max)s characters.") % {"max": MAX_FEEDBACK}, field="feedback"
        )
    with transaction.atomic():
        factory = Factory.objects.select_for_update(of=("self",)).select_related("country").get(pk=factory.pk)
        assessments = closed_assessments(factory)
        if len(assessments) < ASSESSMENTS_NEEDED:
            raise ApplicationError(
                _("A factory is evaluated for stage 2 only after two closed assessments; %(factory)s has %(n)s.")
                % {"factory": factory.name, "n": len(assessments)}
            )
        judged = _clean_judgements(judgements)
        live = progress(factory)
        met = {number: c.met for number, c in live.computed.items()} | {n: m for n, (m, _r) in judged.items()}
        all_met = all(met.values()) and len(met) == len(COMPUTED) + len(JUDGED)
        stage_after = Factory.Stage.TWO if all_met else Factory.Stage.ONE
        evaluation = Evaluation(
            factory=factory,
            evaluated_on=factory.country.local_today(),
            evaluated_by=actor,
            assessments_counted=len(assessments),
            all_met=all_met,
            stage_before=factory.stage,
            stage_after=stage_after,
            feedback=feedback,
        )
        save_with_history(evaluation, actor=actor, reason="evaluation")
        criteria = DifferentiationCriterion.objects.in_bulk()
        rows = [CriterionJudgement(evaluation=evaluation, criterion=criteria[n], met=c.met, computed=True,
                                   rationale=c.rationale) for n, c in live.computed.items()]  # fmt: skip
        rows += [CriterionJudgement(evaluation=evaluation, criterion=criteria[n], met=m, computed=False,
                                    rationale=r) for n, (m, r) in judged.items()]  # fmt: skip
        CriterionJudgement.objects.bulk_create(rows)
        if stage_after != factory.stage:
            unmet = sorted(n for n, ok in met.items() if not ok)
            reason = (
                _("All nine differentiation criteria met.")
                if all_met
                else _("Differentiation criteria not met: %(numbers)s.") % {"numbers": ", ".join(map(str, unmet))}
            )
            stage_change(factory=factory, actor=actor, stage=stage_after, reason=reason)
    return evaluation


def feedback_give(*, factory: Factory, actor: Any, text: str) -> ProgressFeedback:
    """R-DIF-4: the factory's advisor (or the country's programme manager) writes feedback on its progress toward
    stage 2, at any time; the factory's users are told. Buyers read it on the page, the public never."""
    require(actor, ACTION, factory)
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Write the feedback to the factory."), field="text")
    if len(text) > MAX_FEEDBACK:
        raise ApplicationError(_("The feedback is longer than %(max)s characters.") % {"max": MAX_FEEDBACK},
                               field="text")  # fmt: skip
    with transaction.atomic():
        feedback = ProgressFeedback.objects.create(
            factory=factory, written_on=factory.country.local_today(), written_by=actor, text=text
        )
        name = factory.name
        notify(
            User.objects.filter(is_active=True, role=Role.FACTORY, factory_id=factory.pk),
            key=f"differentiation:{factory.pk}:feedback:{feedback.pk}",
            url=page_url(factory) + "#feedback",
            text=lambda: (
                _("Feedback on %(factory)s's progress toward stage 2") % {"factory": name},
                _("Your enterprise advisor wrote feedback on the differentiation criteria."),
            ),
        )
    return feedback


def stage_change(*, factory: Factory, actor: Any, stage: int, reason: str) -> Factory:
    """The one way a factory's stage changes (R-DIF-3): saved with history, its open cycle replanned (stage 2:
    no assessment in a cycle that follows an assessed one, R-CYC-2), the factory's users and its authorised
    buyers' users told (the acknowledgement). Stage 2 needs a latest evaluation with all nine criteria met."""
    require(actor, ACTION, factory)
    if stage not in Factory.Stage.values:
        raise ApplicationError(_("The stage is 1 or 2."), field="stage")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the stage changes."), field="reason")
    with transaction.atomic():
        factory = Factory.objects.select_for_update(of=("self",)).get(pk=factory.pk)
        if factory.stage == stage:
            return factory
        if stage == Factory.Stage.TWO:
            latest = Evaluation.objects.filter(factory=factory).order_by("-evaluated_on", "-pk").first()
            if latest is None or not latest.all_met:
                raise ApplicationError(
                    _("A factory reaches stage 2 only through an evaluation with all nine criteria met."),
                    field="stage",
                )
        factory.stage = stage
        save_with_history(factory, actor=actor, reason=reason, fields=["stage", "updated_at"])
        cycles_replan_open(factory_ids=[factory.pk], actor=actor, reason=reason)
        _acknowledge(factory)
    return factory


def _acknowledge(factory: Factory) -> int:
    """R-DIF-3: the factory and its authorised buyers learn the new stage (never the public)."""
    readers = User.objects.filter(is_active=True, role=Role.FACTORY, factory_id=factory.pk) | User.objects.filter(
        is_active=True, role=Role.BUYER, buyer_id__in=factory.authorisations.active().values("buyer_id")
    )
    change = factory.history.order_by("-history_date", "-history_id").values_list("history_id", flat=True).first()
    name, stage = factory.name, factory.stage

    def text() -> tuple[str, str]:
        if stage == Factory.Stage.TWO:
            return (
                _("%(factory)s reached stage 2") % {"factory": name},
                _("%(factory)s meets all nine differentiation criteria and is now in stage 2: it is assessed once "
                  "every 24 months and receives the programme's stage 2 services.") % {"factory": name},
            )  # fmt: skip
        return (
            _("%(factory)s is in stage 1") % {"factory": name},
            _("%(factory)s no longer meets every differentiation criterion and is back in stage 1. The evaluation "
              "shows what is missing for stage 2.") % {"factory": name},
        )  # fmt: skip

    return notify(readers, key=f"differentiation:{factory.pk}:stage:{change}", url=page_url(factory), text=text)
