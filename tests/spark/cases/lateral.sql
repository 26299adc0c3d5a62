-- Generators: explode and LATERAL VIEW.
CREATE TEMPORARY VIEW arrs AS SELECT * FROM (VALUES (1, array(10, 20)), (2, array(30)), (3, array())) AS arrs(id, xs);
SELECT id, x FROM arrs LATERAL VIEW explode(xs) v AS x ORDER BY id, x;
SELECT id, v.x FROM arrs LATERAL VIEW explode(xs) v AS x WHERE x > 10 ORDER BY x;
SELECT count(*), sum(x) FROM arrs LATERAL VIEW explode(xs) v AS x;
SELECT explode(array(1, 2, 3));
SELECT id, explode(xs) FROM arrs ORDER BY id, 2;
SELECT x, count(*) FROM arrs LATERAL VIEW explode(xs) t AS x GROUP BY x ORDER BY x;
