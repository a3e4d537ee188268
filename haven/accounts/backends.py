"""Django's model backend, reading a signed-in person's organisation in the same query as the person:
every staff page checks the organisation's kind (``roles.permissions_of``), so this saves a query on each."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from haven.accounts.models import User


class ModelBackendWithOrganisation(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
