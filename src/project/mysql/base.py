"""Django's MySQL backend with one change: `transaction.atomic()` opens its transaction with one
BEGIN instead of turning the session's autocommit off and on again.

Django starts a MySQL transaction with `SET AUTOCOMMIT = 0` and ends it with COMMIT and
`SET AUTOCOMMIT = 1`: three round trips around every transaction's own statements. MySQL's BEGIN
opens a transaction that COMMIT or ROLLBACK ends, the session's autocommit resuming by itself
(the driver reads it back from the server's status flags, so turning it "on" again sends
nothing): one round trip. Django takes this path for any backend that defines
`_start_transaction_under_autocommit` (its SQLite backend does, with the same BEGIN). Locks
(SELECT ... FOR UPDATE), savepoints and the isolation level are those of any transaction; a
manual `transaction.set_autocommit(False)` still sends SET AUTOCOMMIT.

One difference: a statement that ends the transaction on the server's side (DDL commits
implicitly; a deadlock rolls the whole transaction back) leaves the session in autocommit, so
statements after it inside the same `atomic()` commit one by one instead of opening a new
transaction that the block's end would roll back. No request path runs DDL or carries on after
a deadlock inside a transaction.
"""

from django.db.backends.mysql import base
from django.db.backends.utils import debug_transaction


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self) -> None:
        with debug_transaction(self, "BEGIN"), self.wrap_database_errors:
            self.connection.begin()
