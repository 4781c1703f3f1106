#!/bin/sh
# Entrypoint of the stand-in for the mysql image that scripts/test-image makes from Debian's
# MariaDB: on a first start it creates the database and the users from the mysql image's
# variables (MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD), with the server
# listening on its socket only, as the mysql image does; then it runs the server with the
# command's options (compose.yaml's --character-set-server=...).
set -eu

datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock

sql_quote() {
    printf '%s' "$1" | sed "s/'/''/g"
}

install -d -o mysql -g mysql "${socket%/*}" # /run is a fresh tmpfs in a container

if [ ! -d "$datadir/mysql" ]; then
    : "${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD}"
    echo "mysql-entrypoint: first start, creating the database" >&2
    mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db \
        --auth-root-authentication-method=normal >/dev/null
    mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$socket" &
    pid=$!
    until mariadb-admin --socket="$socket" ping >/dev/null 2>&1; do
        kill -0 "$pid" || { echo "mysql-entrypoint: the server did not start" >&2; exit 1; }
        sleep 0.2
    done
    root_password="$(sql_quote "$MYSQL_ROOT_PASSWORD")"
    {
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password';"
        echo "CREATE USER 'root'@'%' IDENTIFIED BY '$root_password';"
        echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [ -n "${MYSQL_DATABASE:-}" ]; then
            echo "CREATE DATABASE \`$MYSQL_DATABASE\`;"
        fi
        if [ -n "${MYSQL_USER:-}" ]; then
            echo "CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '$(sql_quote "${MYSQL_PASSWORD:-}")';"
            if [ -n "${MYSQL_DATABASE:-}" ]; then
                echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'%';"
            fi
        fi
    } | mariadb --socket="$socket" -uroot
    mariadb-admin --socket="$socket" -uroot -p"$MYSQL_ROOT_PASSWORD" shutdown
    wait "$pid"
fi

exec mariadbd --user=mysql --datadir="$datadir" --socket="$socket" --bind-address=0.0.0.0 \
    --skip-name-resolve "$@"
