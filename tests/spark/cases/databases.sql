-- Databases (namespaces) and EXPLAIN modifiers.
CREATE DATABASE sales_db;
CREATE DATABASE IF NOT EXISTS sales_db;
CREATE DATABASE sales_db;
SHOW DATABASES;
USE sales_db;
SELECT 1 AS one;
USE default;
USE no_such_db;
EXPLAIN FORMATTED SELECT 1;
