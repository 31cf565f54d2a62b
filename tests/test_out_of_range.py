import pytest


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
def test_an_id_beyond_the_database_range_is_404_not_500(client, login_as, huge):
    headers = login_as("coordinator").headers
    assert client.get(f"/api/v1/referrals/{huge}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/people/{huge}", headers=headers).status_code == 404
