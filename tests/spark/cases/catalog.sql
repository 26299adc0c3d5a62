-- Catalog statements over temporary views, SET and RESET.
CREATE TEMPORARY VIEW t1 AS SELECT 1 AS a, 'x' AS b, CAST(2.5 AS DECIMAL(10,2)) AS c, date '2024-01-01' AS d, CAST(2.5 AS DOUBLE) AS e, array(1, 2) AS f;
CREATE TEMPORARY VIEW t2 AS SELECT 1L AS id;
SHOW TABLES;
DESCRIBE t1;
DESCRIBE TABLE t2;
SHOW COLUMNS IN t1;
SHOW DATABASES;
DESCRIBE missing_table;
SET spark.sql.shuffle.partitions=3;
SET spark.sql.shuffle.partitions;
SELECT count(*) FROM t1;
CREATE TEMPORARY VIEW t3 AS SELECT a + 1 AS a1 FROM t1;
SELECT * FROM t3;
DROP VIEW t3;
SELECT * FROM t3;
