import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/transparency/", "/api/v1/countries/", "/api/v1/schema/", "/api/v1/docs/"])
def test_public_entry_points_answer(client, path):
    assert client.get(path).status_code == 200
