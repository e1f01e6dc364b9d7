import pytest


@pytest.fixture
def uni(make_org):
    return make_org("university")


@pytest.fixture
def staff(make_user, uni):
    return make_user(org=uni, role="member")


@pytest.fixture
def staff_client(login, staff):
    return login(staff)
