import pytest


@pytest.fixture
def uni(make_org):
    """A verified university."""
    return make_org("university", name="Northbridge University")


@pytest.fixture
def manager(make_user, uni):
    """The university's TTO manager (the listings' default contact)."""
    return make_user(org=uni, role="manager", name="Maya Chen")


@pytest.fixture
def staff(make_user, uni, manager):
    """A member (not manager) of the university's TTO."""
    return make_user(org=uni, role="member", name="Daniel Ortiz")


@pytest.fixture
def staff_client(login, staff):
    return login(staff)


@pytest.fixture
def other_staff(make_user):
    """A manager at another verified university."""
    return make_user(kind="university", role="manager")


@pytest.fixture
def other_client(login, other_staff):
    return login(other_staff)


@pytest.fixture
def company_client(login, make_user):
    return login(make_user(kind="company"))

