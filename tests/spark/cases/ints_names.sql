-- Integer literal types, identifier case in output names and NULL-aware NOT IN, from Spark's
-- SQL reference (sql-ref-literals, sql-ref-identifier, sql-ref-syntax-qry-select-subqueries).
SELECT 1, typeof(1), typeof(2147483648), typeof(-1), typeof(1L), typeof(1S), typeof(1Y);
SELECT typeof(array(1, 2)), typeof(map('a', 1)), typeof(named_struct('x', 1));
SELECT typeof(CASE WHEN true THEN 1 ELSE 2 END), typeof(coalesce(NULL, 1)), typeof(abs(-1));
SELECT typeof(sum(x)), typeof(avg(x)), typeof(max(x)), typeof(count(x)) FROM VALUES (1), (2) AS t(x);
SELECT typeof(x + 1), typeof(x * 2L), typeof(x / 2), typeof(x div 2), typeof(x % 2) FROM VALUES (7) AS t(x);
SELECT row_number() OVER (ORDER BY x), rank() OVER (ORDER BY x), dense_rank() OVER (ORDER BY x), ntile(2) OVER (ORDER BY x) FROM VALUES (1), (2) AS t(x);
SELECT 2147483647 + 1;
SELECT ID FROM VALUES (1) AS t(id);
SELECT Id, iD + 1 FROM VALUES (1) AS t(ID);
SELECT t.A FROM VALUES (1) AS t(a);
CREATE TEMPORARY VIEW mixed AS SELECT 1 AS CamelCase, 2 AS lower;
SELECT * FROM mixed;
SELECT camelcase, LOWER FROM mixed;
SELECT x FROM VALUES (1), (2), (NULL) AS t(x) WHERE x NOT IN (SELECT y FROM VALUES (2), (NULL) AS s(y));
SELECT x FROM VALUES (1), (2), (NULL) AS t(x) WHERE x NOT IN (SELECT y FROM VALUES (2) AS s(y)) ORDER BY x;
SELECT x FROM VALUES (1), (2), (NULL) AS t(x) WHERE x NOT IN (SELECT y FROM VALUES (3) AS s(y) WHERE y > 5) ORDER BY x;
SELECT x FROM VALUES (1), (2), (NULL) AS t(x) WHERE x IN (SELECT y FROM VALUES (2), (NULL) AS s(y));
SELECT x, x NOT IN (2, NULL) FROM VALUES (1), (2) AS t(x) ORDER BY x;
SELECT x FROM VALUES (1), (2), (3) AS t(x) LEFT SEMI JOIN VALUES (2), (3), (3) AS s(y) ON x = y ORDER BY x;
SELECT x FROM VALUES (1), (2), (3) AS t(x) LEFT ANTI JOIN VALUES (2), (NULL) AS s(y) ON x = y ORDER BY x;
SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(k, v) JOIN VALUES (1, 'x'), (3, 'y') AS s(k, w) USING (k);
SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(k, v) FULL OUTER JOIN VALUES (1, 'x'), (3, 'y') AS s(k, w) USING (k) ORDER BY k;
SELECT k FROM VALUES (1, 'a'), (2, 'b') AS t(k, v) LEFT JOIN VALUES (1, 'x'), (3, 'y') AS s(k, w) USING (k) ORDER BY k;
