-- Hive-style clauses Spark keeps.
CREATE TEMPORARY VIEW hv AS SELECT * FROM (VALUES (3, 'c'), (1, 'a'), (2, 'b')) AS hv(k, v);
SELECT k, v FROM hv CLUSTER BY k;
SELECT k FROM hv DISTRIBUTE BY k SORT BY k DESC;
SELECT count(*) FROM hv DISTRIBUTE BY k;
