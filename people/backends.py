from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, loading the employee profile with the user in one query.

    Almost every page needs the profile (visibility rules, navigation, the widget), so the
    per-request user lookup joins it instead of paying a second query later.
    """

    def get_user(self, user_id):
        user_model = self._get_user_model()
        try:
            # Only the profile row: department and role are used by id, and each extra join
            # made this per-request lookup measurably slower to build.
            user = user_model._default_manager.select_related("employee").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _get_user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()
