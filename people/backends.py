import threading

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators

# A stand-in for the user id while the query is compiled; never a real primary key.
_SENTINEL_PK = -918_273_640


class _CompiledUserQuery:
    """`User.objects.select_related("employee").filter(pk=…)`, compiled once per thread.

    The lookup runs on every signed-in request. Building that queryset and its SQL cost
    about three times as much as running it (measured on the widget's first view, where it
    was the largest single part), so the statement is compiled once and the rows are turned
    into a user and profile as Django's own ModelIterable does: same columns, converters
    and related-object caching, so `user.employee` costs no query.
    """

    def __init__(self, user_model, connection):
        queryset = user_model._default_manager.select_related("employee").filter(pk=_SENTINEL_PK)
        self.connection = connection
        self.compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        self.pk_index = self.params.index(_SENTINEL_PK)
        klass_info, select = self.compiler.klass_info, self.compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, connection.alias)

    def get(self, pk):
        params = list(self.params)
        params[self.pk_index] = self.model._meta.pk.get_prep_value(pk)
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchmany(2)
        for row in self.compiler.results_iter([rows]):
            user = self.model.from_db(
                self.connection.alias, self.init_list, row[self.start : self.end]
            )
            for populator in self.populators:
                populator.populate(row, user)
            return user
        return None


_compiled = threading.local()


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, loading the employee profile with the user in one query.

    Almost every page needs the profile (visibility rules, navigation, the widget), so the
    per-request user lookup joins it instead of paying a second query later.
    """

    def get_user(self, user_id):
        # Only the profile row: department and role are used by id, and each extra join
        # made this per-request lookup measurably slower to build.
        connection = connections[DEFAULT_DB_ALIAS]
        query = getattr(_compiled, "query", None)
        if query is None or query.connection is not connection:
            query = _compiled.query = _CompiledUserQuery(self._get_user_model(), connection)
        user = query.get(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _get_user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()
