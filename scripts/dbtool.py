"""Create (or drop) the database a DATABASE_URL names. Used by scripts/test and .ci/run."""

import sys

import dj_database_url
import pymysql


def main(action: str, url: str) -> None:
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.mysql":
        return
    connection = pymysql.connect(
        host=config["HOST"] or "127.0.0.1",
        port=int(config["PORT"] or 3306),
        user=config["USER"] or "root",
        password=config["PASSWORD"] or "",
    )
    name = config["NAME"].replace("`", "")
    with connection.cursor() as cursor:
        if action == "create":
            cursor.execute(
                f"CREATE DATABASE IF NOT EXISTS `{name}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        elif action == "drop":
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
