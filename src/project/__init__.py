import pymysql

# PyMySQL stands in for mysqlclient ("MySQLdb"): pure Python, no C toolchain in the image.
pymysql.install_as_MySQLdb()
