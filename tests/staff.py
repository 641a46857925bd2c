"""How tests sign staff in to admin: one place, so the way staff sign in can change in one place."""


def staff_login(client, user):
    """Sign `user` in on the test client as a staff member who passed every sign-in step."""
    client.force_login(user)
    return client
