"""The authorisation matrix: one reviewed table of who may do what on every route (RELIABILITY.md §2.5.3).

Each `Route` names a URL pattern (as `get_resolver()` spells it), how to build its URL for an object of
factory A, B or C, and the oracle: `see(principal, side)` (the object exists for the principal) and
`act(principal, side)` (the principal may use the route on it). The expected status follows the NetBox
convention (§2.5.1): anonymous → 302 to the login page (pages) or 401 (API); hidden → 404; visible but not
allowed → 403; allowed → 200 for GET. The oracle encodes the rules of SERVICE_MODEL.md (R-ACC-1: buyers read
reports and the plan of authorising factories only; R-ASM-3: a planned assessment does not exist for factory
and buyer users; R-ADV-5/6, R-RPT, R-TRN ...) and the predicates of each `rules.py`; it is never computed by
the code under test. `lists` gives the exact set of ids a list endpoint must return, computed from the world.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.proof.world import World

SIDES = ("a", "b", "c")
COUNTRY = {"a": "KH", "b": "KH", "c": "VN"}
STAFF_OF = {
    "KH": {"advisor_kh", "assessor_in", "assessor_out", "manager_kh"},
    "VN": {"advisor_vn", "manager_vn"},
}
SIGNED_OUT = {"anonymous", "inactive"}
STAFF = {"advisor_kh", "advisor_vn", "assessor_in", "assessor_out", "manager_kh", "manager_vn", "admin"}
BUYERS = {"buyer_a", "buyer_none", "buyer_revoked"}
FACTORY_USERS = {"factory_a", "factory_b"}

Rule = Callable[[str, str], bool]


# --- predicates over (principal, side) ------------------------------------------------------------------------
def anyone(p: str, s: str = "a") -> bool:
    return True


def signed_in(p: str, s: str = "a") -> bool:
    return p not in SIGNED_OUT


def nobody(p: str, s: str = "a") -> bool:
    return False


def admin(p: str, s: str = "a") -> bool:
    return p == "admin"


def staff_any(p: str, s: str = "a") -> bool:
    return p in STAFF


def staff(p: str, s: str) -> bool:
    """Programme staff of the side's country, and global admins."""
    return p == "admin" or p in STAFF_OF[COUNTRY[s]]


def managers(p: str, s: str) -> bool:
    return p == "admin" or p == f"manager_{COUNTRY[s].lower()}"


def advisors_managers(p: str, s: str) -> bool:
    return managers(p, s) or p == f"advisor_{COUNTRY[s].lower()}"


def evaluators(p: str, s: str) -> bool:
    """R-DIF-2: the factory's advisor or the country's programme manager (not a global admin)."""
    return p in (f"advisor_{COUNTRY[s].lower()}", f"manager_{COUNTRY[s].lower()}")


def advisor_only(p: str, s: str) -> bool:
    return p == f"advisor_{COUNTRY[s].lower()}"


def own_factory(p: str, s: str) -> bool:
    return p == f"factory_{s}"


def authorised_buyer(p: str, s: str) -> bool:
    return s == "a" and p == "buyer_a"


def internal(p: str, s: str) -> bool:
    """The factory and its country's programme: never buyers (invoices, committee, visits, training rows)."""
    return staff(p, s) or own_factory(p, s)


def shared(p: str, s: str) -> bool:
    """R-ACC-1: internal + buyers the factory authorises (revocation stops access at once)."""
    return internal(p, s) or authorised_buyer(p, s)


def factory_staff_catalogue(p: str, s: str) -> bool:
    """A country's catalogue (courses, sessions, seminars): its staff and its factories; never buyers."""
    return staff(p, s) or (p in FACTORY_USERS and COUNTRY[s] == "KH")


def MANAGERS(p: str, s: str = "a") -> bool:
    """Programme managers of any country and global admins (the dashboards, scoped inside to the country)."""
    return p in ("manager_kh", "manager_vn", "admin")


def either(*rules: Rule) -> Rule:
    return lambda p, s: any(r(p, s) for r in rules)


def is_(*names: str) -> Rule:
    return lambda p, s: p in names


@dataclass(frozen=True)
class Write:
    """An unsafe method: hidden → 404; visible but not `act` → 403 (or the 400/409 of a service that checks
    the body or the state first: never a success); `act` → anything but 403/404/5xx."""

    method: str
    act: Rule
    body: Callable[[World, str], dict] | None = None


@dataclass(frozen=True)
class Route:
    pattern: str
    url: Callable[[World, str], str]  # (world, side) → URL; collection routes ignore the side
    see: Rule = signed_in  # who finds the object (else 404)
    get: Rule | None = None  # who may GET it (see but not get → 403); None: same as see; False-y: no GET test
    api: bool = False
    sides: tuple[str, ...] = SIDES
    writes: tuple[Write, ...] = ()
    no_get: bool = False  # a POST-only route
    list_of: Callable[[World, str], set[int]] | None = None  # list endpoints: the exact ids per principal
    anon: int | str | None = None  # override the anonymous expectation (public routes)
    everyone: int | None = None  # the same status for every principal (secret-token routes)
    ok: tuple[int, ...] = (200,)  # what "allowed" answers (PDFs: 202 while the document is rendered)
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _side(w: World, s: str):
    return getattr(w, s)


def F(w: World, s: str) -> int:
    return _side(w, s).factory.pk


# --- list oracles: ids from the world, filtered by the same predicates -------------------------------------------
def ids(getter: Callable[[Any], Any], rule: Rule) -> Callable[[World, str], set[int]]:
    def oracle(w: World, p: str) -> set[int]:
        out = set()
        for s in SIDES:
            if rule(p, s):
                for obj in getter(_side(w, s)):
                    out.add(obj.pk)
        return out

    return oracle


def _items(side):
    return side.factory.improvement_plan.items.all()


def _assessments_for(w: World, p: str) -> set[int]:
    """R-ASM-3 and R-ACC-1: staff see their country's (planned included); the factory from the start; buyers
    only published reports of authorising factories."""
    out = set()
    for s in SIDES:
        side = _side(w, s)
        for a in side.factory.assessments.all():
            started = a.status in ("in_progress", "feedback", "finalised", "published")
            if staff(p, s) or (own_factory(p, s) and started) or (authorised_buyer(p, s) and a.status == "published"):
                out.add(a.pk)
    return out


API = "api/v1/"
PDF = (200, 202)  # a PDF is served when rendered, 202 while it is queued


def A(path: str) -> str:
    return API + path


PUBLIC = {"anon": 200}


def pages(w_url: Callable[[World, str], str], **kwargs) -> dict:
    return {"url": w_url, **kwargs}


# --- the table ----------------------------------------------------------------------------------------------------
# fmt: off
def _routes() -> list[Route]:
    R = Route
    f = "factories/<int:pk>/"
    return [
        # public pages
        R("", lambda w, s: "/", see=anyone, sides=("a",), anon=200),
        R("register/", lambda w, s: "/register/", see=anyone, sides=("a",), anon=200),
        R("register/thanks/", lambda w, s: "/register/thanks/", see=anyone, sides=("a",), anon=200),
        R("transparency/", lambda w, s: "/transparency/", see=anyone, sides=("a",), anon=200),
        # signed-in pages of one's own
        R("accounts/profile/", lambda w, s: "/accounts/profile/", sides=("a",)),
        R("notifications/", lambda w, s: "/notifications/", sides=("a",)),
        R("notifications/read/", lambda w, s: "/notifications/read/", sides=("a",), no_get=True,
          writes=(Write("post", signed_in),)),
        # staff pages
        R("agenda/", lambda w, s: "/agenda/", see=staff_any, sides=("a",)),
        R("agenda/country/", lambda w, s: "/agenda/country/", see=is_("manager_kh", "manager_vn", "admin"),
          sides=("a",), note="a manager's page: does not exist for anyone else"),
        R("agenda/calendar/<str:token>.ics", lambda w, s: "/agenda/calendar/not-a-token.ics", see=nobody,
          sides=("a",), anon=404, note="a feed reached by its secret token only: a wrong token is 404 for all"),
        # a factory's pages
        R(f + "cycle/", lambda w, s: f"/factories/{F(w, s)}/cycle/", see=shared,
          note="R-ACC-1 stage information: the factory and its authorised buyers (dates dropped, R-ASM-3)"),
        R(f + "visits/<int:visit_pk>/", lambda w, s: f"/factories/{F(w, s)}/visits/{_side(w, s).visit.pk}/",
          see=internal),
        R(f + "zero-tolerance/", lambda w, s: f"/factories/{F(w, s)}/zero-tolerance/", see=staff),
        R(f + "zero-tolerance/<int:case_pk>/",
          lambda w, s: f"/factories/{F(w, s)}/zero-tolerance/{_side(w, s).case.pk}/", see=staff),
        R(f + "reports/", lambda w, s: f"/factories/{F(w, s)}/reports/", see=shared),
        R(f + "reports/<int:number>/", lambda w, s: f"/factories/{F(w, s)}/reports/1/", see=internal,
          note="report 1 is a draft: buyers read released reports only"),
        R(f + "plan/", lambda w, s: f"/factories/{F(w, s)}/plan/", see=shared),
        R(f + "plan/print/", lambda w, s: f"/factories/{F(w, s)}/plan/print/", see=shared),
        R(f + "plan.csv", lambda w, s: f"/factories/{F(w, s)}/plan.csv", see=shared),
        R(f + "plan.xlsx", lambda w, s: f"/factories/{F(w, s)}/plan.xlsx", see=shared),
        R(f + "plan/items/<int:item_pk>/edit/",
          lambda w, s: f"/factories/{F(w, s)}/plan/items/{_side(w, s).items[0].pk}/edit/", see=internal,
          no_get=True, writes=(Write("post", either(advisors_managers, own_factory)),)),
        R(f + "plan/items/<int:item_pk>/complete/",
          lambda w, s: f"/factories/{F(w, s)}/plan/items/{_side(w, s).items[0].pk}/complete/", see=internal,
          no_get=True, writes=(Write("post", advisor_only),)),
        R(f + "plan/items/<int:item_pk>/verify-next-assessment/",
          lambda w, s: f"/factories/{F(w, s)}/plan/items/{_side(w, s).items[1].pk}/verify-next-assessment/",
          see=internal, no_get=True, writes=(Write("post", advisor_only),)),
        R("factories/", lambda w, s: "/factories/", sides=("a",)),
        R(f, lambda w, s: f"/factories/{F(w, s)}/", see=shared),
        R(f + "edit/", lambda w, s: f"/factories/{F(w, s)}/edit/", see=shared, no_get=True,
          writes=(Write("post", either(advisors_managers, own_factory)),)),
        R(f + "invoices/", lambda w, s: f"/factories/{F(w, s)}/invoices/", see=internal),
        R(f + "invoices/record-payment/", lambda w, s: f"/factories/{F(w, s)}/invoices/record-payment/",
          see=internal, no_get=True, writes=(Write("post", managers),)),
        R(f + "invoices/issue/", lambda w, s: f"/factories/{F(w, s)}/invoices/issue/", see=internal, no_get=True,
          writes=(Write("post", managers),)),
        R(f + "suspend/", lambda w, s: f"/factories/{F(w, s)}/suspend/", see=internal, no_get=True,
          writes=(Write("post", managers),)),
        R(f + "exit/", lambda w, s: f"/factories/{F(w, s)}/exit/", see=internal, no_get=True,
          writes=(Write("post", managers),)),
        R("factories/registrations/", lambda w, s: "/factories/registrations/", see=staff_any, sides=("a",)),
        R("factories/registrations/<int:pk>/",
          lambda w, s: f"/factories/registrations/{(w.registration_vn if s == 'c' else w.registration_kh).pk}/",
          see=staff, sides=("a", "c")),
        *[
            R(f"factories/registrations/<int:pk>/{what}/",
              lambda w, s, what=what: f"/factories/registrations/"
                                      f"{(w.registration_vn if s == 'c' else w.registration_kh).pk}/{what}/",
              see=staff, sides=("a", "c"), no_get=True, writes=(Write("post", managers),))
            for what in ("approve", "reject", "request-changes")
        ],
        R("factories/registrations/edit/<str:token>/", lambda w, s: "/factories/registrations/edit/bad-token/",
          see=nobody, sides=("a",), everyone=400, note="reached by its secret token only: a bad token is 400"),
        R("factories/buyers/request-access/", lambda w, s: "/factories/buyers/request-access/", sides=("a",),
          get=lambda p, s: p in BUYERS),
        R("factories/buyers/organisations/", lambda w, s: "/factories/buyers/organisations/", sides=("a",),
          get=staff_any),
        R(f + "buyers/", lambda w, s: f"/factories/{F(w, s)}/buyers/", see=internal),
        R(f + "buyers/grant/", lambda w, s: f"/factories/{F(w, s)}/buyers/grant/", see=internal, no_get=True,
          writes=(Write("post", own_factory),)),
        R(f + "buyers/<int:authorisation_id>/revoke/",
          lambda w, s: f"/factories/{F(w, s)}/buyers/{w.authorisation.pk}/revoke/", see=internal, sides=("a",),
          no_get=True, writes=(Write("post", own_factory),)),
        R(f + "committee/", lambda w, s: f"/factories/{F(w, s)}/committee/", see=internal),
        R(f + "committee/members/", lambda w, s: f"/factories/{F(w, s)}/committee/members/", see=internal,
          no_get=True, writes=(Write("post", either(advisors_managers, own_factory)),)),
        R(f + "committee/members/<int:member_pk>/left/",
          lambda w, s: f"/factories/{F(w, s)}/committee/members/{_side(w, s).member.pk}/left/", see=internal,
          no_get=True, writes=(Write("post", either(advisors_managers, own_factory)),)),
        R(f + "committee/meetings/new/", lambda w, s: f"/factories/{F(w, s)}/committee/meetings/new/",
          see=internal, get=either(advisors_managers, own_factory),
          writes=(Write("post", either(advisors_managers, own_factory)),)),
        R(f + "committee/meetings/<int:meeting_pk>/",
          lambda w, s: f"/factories/{F(w, s)}/committee/meetings/{_side(w, s).meeting.pk}/", see=internal),
        *[
            R(f + f"committee/meetings/<int:meeting_pk>/{what}/",
              lambda w, s, what=what: f"/factories/{F(w, s)}/committee/meetings/{_side(w, s).meeting.pk}/{what}/",
              see=internal, no_get=True, writes=(Write("post", either(advisors_managers, own_factory)),))
            for what in ("outcomes", "actions")
        ],
        R(f + "committee/actions/<int:action_pk>/status/",
          lambda w, s: f"/factories/{F(w, s)}/committee/actions/{_side(w, s).action.pk}/status/", see=internal,
          no_get=True, writes=(Write("post", either(advisors_managers, own_factory)),)),
        # assessments pages
        R("assessments/", lambda w, s: "/assessments/", sides=("a",)),
        R("assessments/plan/", lambda w, s: "/assessments/plan/", see=staff_any, sides=("a",),
          get=is_("manager_kh", "manager_vn", "admin")),
        R("assessments/<int:pk>/", lambda w, s: f"/assessments/{_side(w, s).assessment.pk}/",
          see=lambda p, s: staff(p, s) or own_factory(p, s) or (authorised_buyer(p, s))),
        R("assessments/<int:pk>/print/", lambda w, s: f"/assessments/{_side(w, s).assessment.pk}/print/",
          see=lambda p, s: staff(p, s) or own_factory(p, s) or (authorised_buyer(p, s))),
        R("assessments/<int:pk>/reschedule/", lambda w, s: f"/assessments/{w.planned.pk}/reschedule/",
          sides=("a",), see=staff, get=managers, note="on A's PLANNED assessment: factory and buyers 404"),
        R("assessments/<int:pk>/fieldwork/", lambda w, s: f"/assessments/{w.planned.pk}/fieldwork/", sides=("a",),
          see=staff, get=is_("assessor_in"), note="the assessment's own assessors only (conduct_assessment)"),
        *[
            R(f"assessments/<int:pk>/fieldwork/{what}/",
              lambda w, s, what=what: f"/assessments/{w.planned.pk}/fieldwork/{what}/", sides=("a",), see=staff,
              no_get=True, writes=(Write("post", is_("assessor_in")),))
            for what in ("save", "answer", "evidence", "access-denied", "start", "submit")
        ],
        R("assessments/<int:pk>/fieldwork/evidence/<int:evidence_pk>/",
          lambda w, s: f"/assessments/{w.planned.pk}/fieldwork/evidence/999999/", sides=("a",), see=nobody,
          note="no evidence on a planned assessment: 404 for everyone signed in"),
        # training pages
        R("training/", lambda w, s: "/training/", sides=("a",), see=lambda p, s: p not in BUYERS,
          note="buyers have no training catalogue"),
        R("training/allowances/", lambda w, s: "/training/allowances/", see=staff_any, sides=("a",)),
        R("training/sessions/<int:pk>/",
          lambda w, s: f"/training/sessions/{(w.session_vn if s == 'c' else w.session_kh).pk}/", sides=("a", "c"),
          see=factory_staff_catalogue),
        R("training/sessions/<int:pk>/attendance/<str:day>/",
          lambda w, s: f"/training/sessions/{(w.session_vn if s == 'c' else w.session_kh).pk}/attendance/"
                       f"{(w.session_vn if s == 'c' else w.session_kh).start_date.isoformat()}/",
          sides=("a", "c"), see=factory_staff_catalogue, get=staff),
        R("training/seminars/<int:seminar_pk>/join/", lambda w, s: f"/training/seminars/{w.seminar_kh.pk}/join/",
          sides=("a",), see=factory_staff_catalogue, no_get=True,
          writes=(Write("post", lambda p, s: staff(p, s) or p in FACTORY_USERS),)),
        R("training/factories/<int:pk>/", lambda w, s: f"/training/factories/{F(w, s)}/", see=internal),
        R("training/factories/<int:pk>/purchases/", lambda w, s: f"/training/factories/{F(w, s)}/purchases/",
          see=internal, no_get=True,
          writes=(Write("post", advisors_managers, lambda w, s: {"participant_days": 4, "invoice_number": "T-1"}),)),
        R("training/factories/<int:pk>/enrolments/<int:enrolment_pk>/names/",
          lambda w, s: f"/training/factories/{F(w, s)}/enrolments/{_side(w, s).enrolment.pk}/names/",
          see=internal, no_get=True, writes=(Write("post", internal),)),
        R("training/factories/<int:pk>/seminars/<int:participation_pk>/actions/",
          lambda w, s: f"/training/factories/{F(w, s)}/seminars/{_side(w, s).participation.pk}/actions/",
          see=internal, no_get=True, writes=(Write("post", internal),)),
        R("training/factories/<int:pk>/certificates/<int:participant_pk>.pdf",
          lambda w, s: f"/training/factories/{F(w, s)}/certificates/999999.pdf", see=nobody,
          note="no participant has attended yet: 404 for everyone signed in"),

        # downloads: the report PDFs (R-ACC-1: the factory and its authorised buyers; R-ASM-3)
        R("documents/assessments/<int:pk>/report.pdf",
          lambda w, s: f"/documents/assessments/{_side(w, s).assessment.pk}/report.pdf",
          see=lambda p, s: staff(p, s) or own_factory(p, s) or authorised_buyer(p, s), ok=PDF),
        R("documents/cycles/<int:pk>/progress-reports/<int:number>/report.pdf",
          lambda w, s: f"/documents/cycles/{_side(w, s).cycle.pk}/progress-reports/1/report.pdf", see=internal,
          note="report 1 is a draft: buyers read released reports only", ok=PDF),
        R("documents/factories/<int:pk>/improvement-plan.pdf",
          lambda w, s: f"/documents/factories/{F(w, s)}/improvement-plan.pdf", see=shared, ok=PDF),
        R("api/v1/assessments/<int:pk>/report.pdf",
          lambda w, s: f"/api/v1/assessments/{_side(w, s).assessment.pk}/report.pdf", api=True,
          see=lambda p, s: staff(p, s) or own_factory(p, s) or authorised_buyer(p, s), ok=PDF),
        R("api/v1/assessments/<int:pk>/report.pdf#planned",
          lambda w, s: f"/api/v1/assessments/{w.planned.pk}/report.pdf",
          api=True, sides=("a",), see=nobody, note="R-ASM-3: no PDF of a planned assessment (404 even for staff)"),
        R("api/v1/cycles/<int:pk>/progress-reports/<int:number>/report.pdf",
          lambda w, s: f"/api/v1/cycles/{_side(w, s).cycle.pk}/progress-reports/1/report.pdf", api=True,
          see=internal, ok=PDF),
        R("api/v1/factories/<int:pk>/improvement-plan.pdf",
          lambda w, s: f"/api/v1/factories/{F(w, s)}/improvement-plan.pdf", api=True, see=shared, ok=PDF),

        # the public portal (R-PUB: anyone; our factories have one assessment each, so none is listed yet)
        R("transparency/issues/", lambda w, s: "/transparency/issues/", see=anyone, sides=("a",), anon=200),
        R("transparency.csv", lambda w, s: "/transparency.csv", see=anyone, sides=("a",), anon=200),
        R("transparency/factories/<int:pk>/", lambda w, s: f"/transparency/factories/{F(w, s)}/", see=nobody,
          anon=404, note="R-PUB-1: listed only after two assessments: A, B and C are not listed"),
        R("transparency/remediation-files/<int:pk>/", lambda w, s: "/transparency/remediation-files/999999/",
          see=nobody, sides=("a",), anon=404, note="no file in the world"),
        R("transparency/responses/files/<int:pk>/", lambda w, s: "/transparency/responses/files/999999/",
          see=nobody, sides=("a",), note="no file in the world"),
        R("transparency/my-responses/", lambda w, s: "/transparency/my-responses/", sides=("a",),
          see=lambda p, s: p in FACTORY_USERS, note="R-PUB-5: a factory's own remediation notes"),
        R("transparency/moderation/", lambda w, s: "/transparency/moderation/", sides=("a",), see=staff_any),
        *[
            R(f"transparency/moderation/<int:pk>/{what}/",
              lambda w, s, what=what: f"/transparency/moderation/999999/{what}/", sides=("a",), see=nobody,
              no_get=True, writes=(Write("post", nobody, lambda w, s: {"verified_on": str(w.a.cycle.start_date),
                                                                       "verification": "A visit."}),),
              note="no remediation in the world: 404")
            for what in ("moderate", "verify")
        ],
        R(A("^public/transparency/$"), lambda w, s: "/api/v1/public/transparency/", api=True, sides=("a",),
          everyone=200, note="public: authenticates nobody, so even a deactivated user's token is ignored"),
        # service differentiation (R-DIF-3: staff of the country, the factory, its authorised buyers)
        R(f + "differentiation/", lambda w, s: f"/factories/{F(w, s)}/differentiation/", see=shared),
        R(A("^factories/(?P<pk>[^/.]+)/differentiation/$"),
          lambda w, s: f"/api/v1/factories/{F(w, s)}/differentiation/", api=True, see=shared),
        R(A("^factories/(?P<pk>[^/.]+)/differentiation/evaluations/$"),
          lambda w, s: f"/api/v1/factories/{F(w, s)}/differentiation/evaluations/", api=True, see=shared,
          no_get=True, writes=(Write("post", advisor_only, lambda w, s: {}),)),
        R(A("^factories/(?P<pk>[^/.]+)/differentiation/feedback/$"),
          lambda w, s: f"/api/v1/factories/{F(w, s)}/differentiation/feedback/", api=True, see=shared,
          no_get=True, writes=(Write("post", evaluators, lambda w, s: {"text": "Keep the committee meeting."}),)),
        # the buyer portal
        R("buyer/", lambda w, s: "/buyer/", sides=("a",), get=lambda p, s: p in BUYERS,
          note="a buyer's page: 403 for every other role"),
        R("buyer/reads/", lambda w, s: "/buyer/reads/", sides=("a",), get=lambda p, s: p in BUYERS),
        R("buyer/factories/<int:pk>/", lambda w, s: f"/buyer/factories/{F(w, s)}/",
          see=lambda p, s: p not in BUYERS or authorised_buyer(p, s), get=authorised_buyer,
          note="other roles: 403 (the page is for buyers); other buyers: 404 (R-ACC-1)"),
        # dashboards (programme staff)
        R("dashboards/", lambda w, s: "/dashboards/", sides=("a",), see=MANAGERS),
        R("dashboards/export/<slug:table>.<str:fmt>", lambda w, s: "/dashboards/export/clusters.csv", sides=("a",),
          see=MANAGERS),
        *[
            R(A(f"^dashboards/{what}/$"), lambda w, s, what=what: f"/api/v1/dashboards/{what}/", api=True,
              sides=("a",), see=MANAGERS)
            for what in ("cycle-health", "non-compliance", "service-delivery")
        ],

        # --- API ---------------------------------------------------------------------------------------------------
        R(A("auth/token/"), lambda w, s: "/api/v1/auth/token/", api=True, sides=("a",), no_get=True, anon=None,
          note="credentials exchange: tested in tests/accounts"),
        R(A("schema/"), lambda w, s: "/api/v1/schema/", api=True, see=anyone, sides=("a",), anon=200,
          note="public by project decision (RELIABILITY.md header)"),
        R(A("docs/"), lambda w, s: "/api/v1/docs/", api=True, see=anyone, sides=("a",), anon=200),
        R(A(""), lambda w, s: "/api/v1/", api=True, sides=("a",), get=nobody,
          note="the browsable API root: no policy, so denied by default"),
        R(A("^users/$"), lambda w, s: "/api/v1/users/", api=True, sides=("a",),
          get=is_("manager_kh", "manager_vn", "admin"),
          writes=(Write("post", is_("manager_kh", "manager_vn", "admin"), lambda w, s: {}),)),
        R(A("^users/me/$"), lambda w, s: "/api/v1/users/me/", api=True, sides=("a",)),
        R(A("^users/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/users/{_side(w, s).user.pk}/", api=True,
          see=lambda p, s: managers(p, s)),
        R(A("^countries/$"), lambda w, s: "/api/v1/countries/", api=True, see=anyone, sides=("a",), anon=200),
        R(A("^countries/(?P<code>[^/.]+)/$"), lambda w, s: f"/api/v1/countries/{COUNTRY[s]}/", api=True,
          see=anyone, sides=("a", "c"), anon=200,
          writes=(Write("patch", managers, lambda w, s: {}),)),
        R(A("^factories/$"), lambda w, s: "/api/v1/factories/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.factory], shared)),
        R(A("^factories/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/factories/{F(w, s)}/", api=True, see=shared),
        R(A("^factories/(?P<pk>[^/.]+)/invoices/$"), lambda w, s: f"/api/v1/factories/{F(w, s)}/invoices/",
          api=True, see=internal, note="a factory-internal collection: does not exist for buyers"),
        *[
            R(A(f"^factories/(?P<pk>[^/.]+)/{what}/$"), lambda w, s, what=what: f"/api/v1/factories/{F(w, s)}/{what}/",
              api=True, see=shared, no_get=True, writes=(Write("post", managers, lambda w, s: {}),))
            for what in ("exit", "record-payment", "suspend")
        ],
        R(A("^registrations/$"), lambda w, s: "/api/v1/registrations/", api=True, sides=("a",), see=anyone,
          anon=401, note="POST is the public registration form: tested in tests/factories",
          list_of=lambda w, p: {r.pk for r in (w.registration_kh, w.registration_vn)
                                if p == "admin" or p in STAFF_OF[r.country_id]}),
        R(A("^registrations/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/registrations/{(w.registration_vn if s == 'c' else w.registration_kh).pk}/",
          api=True, sides=("a", "c"), see=staff),
        *[
            R(A(f"^registrations/(?P<pk>[^/.]+)/{what}/$"),
              lambda w, s, what=what: f"/api/v1/registrations/"
                                      f"{(w.registration_vn if s == 'c' else w.registration_kh).pk}/{what}/",
              api=True, sides=("a", "c"), see=staff, no_get=True, writes=(Write("post", managers, lambda w, s: {}),))
            for what in ("approve", "reject", "request-changes")
        ],
        R(A("^buyers/$"), lambda w, s: "/api/v1/buyers/", api=True, sides=("a",),
          writes=(Write("post", staff_any, lambda w, s: {}),)),
        R(A("^buyers/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/buyers/{w.buyer_a.pk}/", api=True, sides=("a",),
          see=lambda p, s: p not in SIGNED_OUT and p not in ("buyer_none", "buyer_revoked")),
        R(A("^authorizations/$"), lambda w, s: "/api/v1/authorizations/", api=True, sides=("a",),
          list_of=lambda w, p: {g.pk for g in (w.authorisation, w.revoked)
                                if internal(p, "a") or (p == "buyer_a" and g == w.authorisation)
                                or (p == "buyer_revoked" and g == w.revoked)}),
        R(A("^authorizations/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/authorizations/{w.authorisation.pk}/",
          api=True, sides=("a",), see=lambda p, s: internal(p, "a") or p == "buyer_a",
          writes=(Write("delete", own_factory),)),
        R(A("^sourcing-links/$"), lambda w, s: "/api/v1/sourcing-links/", api=True, sides=("a",)),
        R(A("^sourcing-links/(?P<pk>[^/.]+)/$"), lambda w, s: "/api/v1/sourcing-links/999999/", api=True,
          sides=("a",), see=nobody, note="no link in the world"),
        R(A("^buyer-reads/$"), lambda w, s: "/api/v1/buyer-reads/", api=True, sides=("a",)),
        R(A("^buyer-reads/(?P<pk>[^/.]+)/$"), lambda w, s: "/api/v1/buyer-reads/999999/", api=True,
          sides=("a",), see=nobody),
        R(A("^committees/$"), lambda w, s: "/api/v1/committees/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.committee], internal)),
        R(A("^committees/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/committees/{_side(w, s).committee.pk}/",
          api=True, see=internal,
          writes=(Write("patch", either(advisors_managers, own_factory), lambda w, s: {}),)),
        R(A("^committees/(?P<pk>[^/.]+)/history/$"),
          lambda w, s: f"/api/v1/committees/{_side(w, s).committee.pk}/history/", api=True, see=internal),
        R(A("^committee-members/$"), lambda w, s: "/api/v1/committee-members/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.member], internal)),
        R(A("^committee-members/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/committee-members/{_side(w, s).member.pk}/", api=True, see=internal,
          writes=(Write("patch", either(advisors_managers, own_factory), lambda w, s: {}),)),
        R(A("^committee-members/(?P<pk>[^/.]+)/history/$"),
          lambda w, s: f"/api/v1/committee-members/{_side(w, s).member.pk}/history/", api=True, see=internal),
        R(A("^committee-meetings/$"), lambda w, s: "/api/v1/committee-meetings/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.meeting], internal)),
        R(A("^committee-meetings/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/committee-meetings/{_side(w, s).meeting.pk}/", api=True, see=internal,
          writes=(Write("patch", either(advisors_managers, own_factory), lambda w, s: {}),)),
        R(A("^committee-meetings/(?P<pk>[^/.]+)/history/$"),
          lambda w, s: f"/api/v1/committee-meetings/{_side(w, s).meeting.pk}/history/", api=True, see=internal),
        R(A("^committee-meetings/(?P<pk>[^/.]+)/outcomes/$"),
          lambda w, s: f"/api/v1/committee-meetings/{_side(w, s).meeting.pk}/outcomes/", api=True, see=internal,
          no_get=True, writes=(Write("post", either(advisors_managers, own_factory), lambda w, s: {}),)),
        R(A("^follow-up-actions/$"), lambda w, s: "/api/v1/follow-up-actions/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.action], internal)),
        R(A("^follow-up-actions/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/follow-up-actions/{_side(w, s).action.pk}/", api=True, see=internal,
          writes=(Write("patch", either(advisors_managers, own_factory), lambda w, s: {}),)),
        R(A("^follow-up-actions/(?P<pk>[^/.]+)/history/$"),
          lambda w, s: f"/api/v1/follow-up-actions/{_side(w, s).action.pk}/history/", api=True, see=internal),
        R(A("^cycles/$"), lambda w, s: "/api/v1/cycles/", api=True, sides=("a",),
          list_of=ids(lambda side: side.factory.cycles.all(), shared)),
        R(A("^cycles/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/cycles/{_side(w, s).cycle.pk}/", api=True,
          see=shared),
        R(A("^cycles/(?P<pk>[^/.]+)/replan/$"), lambda w, s: f"/api/v1/cycles/{_side(w, s).cycle.pk}/replan/",
          api=True, see=shared, no_get=True, writes=(Write("post", managers, lambda w, s: {}),)),
        R(A("^onsite-exceptions/$"), lambda w, s: "/api/v1/onsite-exceptions/", api=True, sides=("a",),
          writes=(Write("post", managers, lambda w, s: {"factory": F(w, s)}),)),
        R(A("^onsite-exceptions/(?P<pk>[^/.]+)/$"), lambda w, s: "/api/v1/onsite-exceptions/999999/", api=True,
          sides=("a",), see=nobody),
        R(A("^visits/$"), lambda w, s: "/api/v1/visits/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.visit], internal)),
        R(A("^visits/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/visits/{_side(w, s).visit.pk}/", api=True,
          see=internal, writes=(Write("patch", advisors_managers, lambda w, s: {}),)),
        R(A("^cycles/(?P<pk>[^/.]+)/advisory-allowance/$"),
          lambda w, s: f"/api/v1/cycles/{_side(w, s).cycle.pk}/advisory-allowance/", api=True, see=internal),
        R(A("^cycles/(?P<pk>[^/.]+)/allowances/$"),
          lambda w, s: f"/api/v1/cycles/{_side(w, s).cycle.pk}/allowances/", api=True, see=internal),
        R(A("^factories/(?P<pk>[^/.]+)/improvement-plan/$"),
          lambda w, s: f"/api/v1/factories/{F(w, s)}/improvement-plan/", api=True, see=shared),
        R(A("^improvement-plan-items/$"), lambda w, s: "/api/v1/improvement-plan-items/", api=True, sides=("a",),
          list_of=ids(_items, internal),
          note="buyers read the plan through factories/{id}/improvement-plan/ (R-ACC-1), not item by item"),
        R(A("^improvement-plan-items/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/improvement-plan-items/{_side(w, s).items[0].pk}/", api=True, see=internal,
          writes=(Write("patch", either(advisors_managers, own_factory), lambda w, s: {}),)),
        R(A("^improvement-plan-items/(?P<pk>[^/.]+)/history/$"),
          lambda w, s: f"/api/v1/improvement-plan-items/{_side(w, s).items[0].pk}/history/", api=True,
          see=internal),
        *[
            R(A(f"^improvement-plan-items/(?P<pk>[^/.]+)/{what}/$"),
              lambda w, s, what=what: f"/api/v1/improvement-plan-items/{_side(w, s).items[0].pk}/{what}/", api=True,
              see=internal, no_get=True, writes=(Write("post", act, lambda w, s: {}),))
            for what, act in (("complete", advisor_only), ("verify-next-assessment", advisor_only),
                              ("transition", either(advisors_managers, own_factory)))
        ],
        R(A("^zero-tolerance-cases/$"), lambda w, s: "/api/v1/zero-tolerance-cases/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.case], staff)),
        R(A("^zero-tolerance-cases/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/zero-tolerance-cases/{_side(w, s).case.pk}/", api=True, see=staff),
        *[
            R(A(f"^zero-tolerance-cases/(?P<pk>[^/.]+)/{what}/$"),
              lambda w, s, what=what: f"/api/v1/zero-tolerance-cases/{_side(w, s).case.pk}/{what}/", api=True,
              see=staff, no_get=True, writes=(Write("post", staff, lambda w, s: {}),))
            for what in ("close", "log")
        ],
        R(A("^notifications/$"), lambda w, s: "/api/v1/notifications/", api=True, sides=("a",),
          list_of=lambda w, p: {n.pk for n in w.users[p].notifications.all()} if p not in SIGNED_OUT else set()),
        R(A("^notifications/read-all/$"), lambda w, s: "/api/v1/notifications/read-all/", api=True, sides=("a",),
          no_get=True, writes=(Write("post", signed_in),)),
        R(A("^notifications/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/notifications/{(w.notification if s == 'a' else w.notification_other).pk}/",
          api=True, sides=("a", "b"), see=own_factory),
        R(A("^notifications/(?P<pk>[^/.]+)/read/$"),
          lambda w, s: f"/api/v1/notifications/{(w.notification if s == 'a' else w.notification_other).pk}/read/",
          api=True, sides=("a", "b"), see=own_factory, no_get=True, writes=(Write("post", own_factory),)),
        R(A(r"^cycles/(?P<pk>\d+)/progress-reports/(?P<number>[12])/$"),
          lambda w, s: f"/api/v1/cycles/{_side(w, s).cycle.pk}/progress-reports/1/", api=True, see=internal,
          writes=(Write("put", own_factory, lambda w, s: {"answers": {}}),)),
        *[
            R(A(rf"^cycles/(?P<pk>\d+)/progress-reports/(?P<number>[12])/{what}/$"),
              lambda w, s, what=what: f"/api/v1/cycles/{_side(w, s).cycle.pk}/progress-reports/1/{what}/", api=True,
              see=internal, no_get=True, writes=(Write("post", act, lambda w, s: {}),))
            for what, act in (("submit", own_factory), ("sign-off", advisor_only),
                              ("release", own_factory))  # R-RPT: PR1 is released by the factory
        ],
        R(A("^cat/questions/$"), lambda w, s: "/api/v1/cat/questions/", api=True, see=anyone, sides=("a",), anon=200),
        R(A("^assessments/$"), lambda w, s: "/api/v1/assessments/", api=True, sides=("a",),
          list_of=_assessments_for, writes=(Write("post", managers, lambda w, s: {"factory": F(w, s)}),)),
        R(A("^assessments/due/$"), lambda w, s: "/api/v1/assessments/due/", api=True, sides=("a",),
          get=staff_any),
        R(A("^assessments/priority-notes/$"), lambda w, s: "/api/v1/assessments/priority-notes/", api=True,
          sides=("a",), no_get=True, writes=(Write("post", staff_any, lambda w, s: {"factory": F(w, s)}),)),
        R(A("^assessments/(?P<pk>[0-9]+)/$"), lambda w, s: f"/api/v1/assessments/{_side(w, s).assessment.pk}/",
          api=True, see=lambda p, s: staff(p, s) or own_factory(p, s) or authorised_buyer(p, s)),
        R(A("^assessments/(?P<pk>[0-9]+)/$") + "#planned", lambda w, s: f"/api/v1/assessments/{w.planned.pk}/",
          api=True, sides=("a",), see=staff, note="R-ASM-3: A's planned assessment"),
        *[
            R(A(f"^assessments/(?P<pk>[0-9]+)/{what}/$"),
              lambda w, s, what=what: f"/api/v1/assessments/{_side(w, s).assessment.pk}/{what}/", api=True,
              see=lambda p, s: staff(p, s) or own_factory(p, s) or authorised_buyer(p, s), no_get=True,
              writes=(Write(method, act, lambda w, s: {}),))
            for what, method, act in (("findings", "put", lambda p, s: p == "assessor_in" and s == "a"),
                                      ("revisions", "post", managers))
        ],
        *[
            R(A(f"^assessments/(?P<pk>[0-9]+)/{what}/$") + "#planned",
              lambda w, s, what=what: f"/api/v1/assessments/{w.planned.pk}/{what}/", api=True, sides=("a",),
              see=staff, no_get=True, writes=(Write(method, act, lambda w, s: {}),))
            for what, method, act in (
                ("accept-findings", "post", nobody), ("access-denied", "post", is_("assessor_in")),
                ("cancel", "post", managers), ("evidence", "post", is_("assessor_in")),
                ("finalise", "post", managers), ("publish", "post", managers), ("replies", "post", staff),
                ("responses", "post", nobody), ("start", "post", is_("assessor_in")),
                ("submit", "post", is_("assessor_in")),
            )
        ],
        R(A("^assessments/(?P<pk>[0-9]+)/evidence/(?P<evidence_id>[0-9]+)/$"),
          lambda w, s: f"/api/v1/assessments/{_side(w, s).assessment.pk}/evidence/999999/", api=True, see=nobody,
          note="no evidence in the world: 404 for all signed in"),
        R(A("^training-courses/$"), lambda w, s: "/api/v1/training-courses/", api=True, sides=("a",),
          writes=(Write("post", staff_any, lambda w, s: {}),)),
        R(A("^training-courses/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/training-courses/{(w.session_vn if s == 'c' else w.session_kh).course_id}/",
          api=True, sides=("a", "c"), see=factory_staff_catalogue),
        R(A("^training-sessions/$"), lambda w, s: "/api/v1/training-sessions/", api=True, sides=("a",),
          list_of=lambda w, p: {x.pk for x, s in ((w.session_kh, "a"), (w.session_vn, "c"))
                                if factory_staff_catalogue(p, s)}),
        R(A("^training-sessions/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/training-sessions/{(w.session_vn if s == 'c' else w.session_kh).pk}/",
          api=True, sides=("a", "c"), see=factory_staff_catalogue),
        R(A("^training-sessions/(?P<pk>[^/.]+)/attendance/$"),
          lambda w, s: f"/api/v1/training-sessions/{(w.session_vn if s == 'c' else w.session_kh).pk}/attendance/",
          api=True, sides=("a", "c"), see=factory_staff_catalogue, no_get=True,
          writes=(Write("post", staff, lambda w, s: {}),)),
        R(A("^enrollments/$"), lambda w, s: "/api/v1/enrollments/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.enrolment], internal)),
        R(A("^enrollments/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/enrollments/{_side(w, s).enrolment.pk}/",
          api=True, see=internal),
        R(A("^enrollments/(?P<pk>[^/.]+)/participants/$"),
          lambda w, s: f"/api/v1/enrollments/{_side(w, s).enrolment.pk}/participants/", api=True, see=internal,
          no_get=True, writes=(Write("post", internal, lambda w, s: {}),)),
        R(A("^training-purchases/$"), lambda w, s: "/api/v1/training-purchases/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.purchase], internal)),
        R(A("^training-purchases/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/training-purchases/{_side(w, s).purchase.pk}/", api=True, see=internal),
        R(A("^seminars/$"), lambda w, s: "/api/v1/seminars/", api=True, sides=("a",)),
        R(A("^seminars/(?P<pk>[^/.]+)/$"), lambda w, s: f"/api/v1/seminars/{w.seminar_kh.pk}/", api=True,
          sides=("a",), see=factory_staff_catalogue),
        R(A("^seminar-participations/$"), lambda w, s: "/api/v1/seminar-participations/", api=True, sides=("a",),
          list_of=ids(lambda side: [side.participation], internal)),
        R(A("^seminar-participations/(?P<pk>[^/.]+)/$"),
          lambda w, s: f"/api/v1/seminar-participations/{_side(w, s).participation.pk}/", api=True, see=internal),
        R(A("^seminar-participations/(?P<pk>[^/.]+)/action-plan/$"),
          lambda w, s: f"/api/v1/seminar-participations/{_side(w, s).participation.pk}/action-plan/", api=True,
          see=internal, no_get=True, writes=(Write("post", internal, lambda w, s: {}),)),
        R(A("^cycles/(?P<pk>[^/.]+)/training-allowance/$"),
          lambda w, s: f"/api/v1/cycles/{_side(w, s).cycle.pk}/training-allowance/", api=True, see=internal),
        R(A("^factories/(?P<pk>[^/.]+)/training-suggestions/$"),
          lambda w, s: f"/api/v1/factories/{F(w, s)}/training-suggestions/", api=True, see=internal),
    ]
# fmt: on


ROUTES: list[Route] = _routes()

# Patterns deliberately outside the matrix, with the reason. Everything else must be in ROUTES.
EXCLUDED: dict[str, str] = {
    "healthz": "liveness probe, no data (tests/platform/test_health.py)",
    "i18n/setlang/": "language switch, no data (tests/platform/test_i18n.py)",
    "api/v1/<drf_format_suffix:format>": "format-suffix twin of the API root",
}
EXCLUDED_PREFIXES: dict[str, str] = {
    "admin/": "Django admin: staff with two-factor only, through allauth (tests/accounts)",
    "accounts/": "allauth internals: login, signup, password, two-factor (tests/accounts); profile is in ROUTES",
}
# Format-suffix twins of API routes (`users.json`): same view, same policy as the route they double.
FORMAT_SUFFIX = r"\.(?P<format>[a-z0-9]+)/?$"

# Routes other helpers added while the matrix was written: listed here so the completeness test stays green
# until someone classifies them (move each into ROUTES).
NEW_UNCLASSIFIED: dict[str, str] = dict.fromkeys(
    (),
    "new, not yet classified",
)
EXCLUDED.update(NEW_UNCLASSIFIED)
