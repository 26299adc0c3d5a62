-- Set operations with duplicates and NULLs, and inline tables, from Spark's SQL reference
-- (sql-ref-syntax-qry-select-setops, sql-ref-syntax-qry-select-inline-table).
CREATE TEMPORARY VIEW number1 AS SELECT * FROM VALUES (3), (1), (2), (2), (3), (4) AS t(c);
CREATE TEMPORARY VIEW number2 AS SELECT * FROM VALUES (5), (1), (1), (2), (NULL) AS t(c);
SELECT c FROM number1 EXCEPT SELECT c FROM number2 ORDER BY c;
SELECT c FROM number1 MINUS SELECT c FROM number2 ORDER BY c;
SELECT c FROM number1 EXCEPT ALL (SELECT c FROM number2) ORDER BY c;
SELECT c FROM number1 MINUS ALL (SELECT c FROM number2) ORDER BY c;
SELECT (c) FROM number1 INTERSECT (SELECT c FROM number2) ORDER BY c;
SELECT (c) FROM number1 INTERSECT DISTINCT (SELECT c FROM number2) ORDER BY c;
SELECT (c) FROM number1 INTERSECT ALL (SELECT c FROM number2) ORDER BY c;
SELECT c FROM number1 UNION SELECT c FROM number2 ORDER BY c;
SELECT c FROM number1 UNION DISTINCT SELECT c FROM number2 ORDER BY c;
SELECT c FROM number1 UNION ALL (SELECT c FROM number2) ORDER BY c;
SELECT c FROM number2 EXCEPT ALL SELECT c FROM number2 WHERE c = 1 ORDER BY c;
SELECT c, c + 1 AS d FROM number2 INTERSECT ALL SELECT c, c + 1 FROM number2 WHERE c IS NULL OR c = 1 ORDER BY c;
SELECT count(*) FROM (SELECT c FROM number1 EXCEPT ALL SELECT c FROM number2);
WITH w AS (SELECT c FROM number1) SELECT c FROM w INTERSECT ALL SELECT c FROM number1 WHERE c > 1 ORDER BY c;
SELECT * FROM VALUES ("one", 1);
SELECT * FROM VALUES ("one", 1) AS data;
SELECT * FROM VALUES ("one", 1) AS data(a, b);
SELECT * FROM VALUES ("one", 1), ("two", 2), ("three", null) AS data(a, b);
SELECT * FROM VALUES ("one", array(0, 1)), ("two", array(2, 3)) AS data(a, b);
SELECT col1, col2 FROM VALUES (1, 'a'), (2, 'b') ORDER BY col1;
SELECT typeof(col1), typeof(col2) FROM VALUES (1, 2L);
VALUES (1, 2), (3, 4);
SELECT * FROM VALUES (1), (3000000000) AS t(x) ORDER BY x;
SELECT a FROM VALUES (1, 'x') AS t(a, b) UNION ALL SELECT 2L ORDER BY a;
-- VALUES rows without parentheses: one column, one row per expression.
SELECT * FROM VALUES 0, 1, 2 AS t(id);
SELECT COUNT(NULL), COUNT(1) FROM VALUES 1, 2, 3;
SELECT * FROM VALUES 'b', upper('a') || 'z' AS t(x) ORDER BY x;
SELECT a + 1 FROM (VALUES 1) AS v(a);
SELECT * FROM VALUES 'a' T(col);
