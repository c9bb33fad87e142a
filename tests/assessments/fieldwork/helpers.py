"""What a browser without JavaScript sends: the page's form as shown, with some answers changed."""

import html
import json
import re

from django.test import Client

from assessments.models import Assessment
from assessments.services.questions import questions_of


def url(assessment: Assessment, rest: str = "") -> str:
    return f"/assessments/{assessment.pk}/fieldwork/{rest}"


def shown_form(client: Client, assessment: Assessment) -> dict[str, str]:
    """The fields of the fieldwork form as the page rendered them (checked radios, notes, originals)."""
    page = client.get(url(assessment)).content.decode()
    originals = html.unescape(re.search(r'name="originals" value="([^"]*)"', page).group(1))
    data = {"originals": originals}
    for qid, (answer, notes) in json.loads(originals).items():
        if answer:
            data[f"r{qid}"] = answer
        data[f"n{qid}"] = notes
    return data


def question(assessment: Assessment, code: str):
    return questions_of(assessment).get(global_code=code)
