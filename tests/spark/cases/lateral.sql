-- Generators: explode and LATERAL VIEW.
CREATE TEMPORARY VIEW arrs AS SELECT * FROM (VALUES (1, array(10, 20)), (2, array(30)), (3, array())) AS arrs(id, xs);
SELECT id, x FROM arrs LATERAL VIEW explode(xs) v AS x ORDER BY id, x;
SELECT id, v.x FROM arrs LATERAL VIEW explode(xs) v AS x WHERE x > 10 ORDER BY x;
SELECT count(*), sum(x) FROM arrs LATERAL VIEW explode(xs) v AS x;
SELECT explode(array(1, 2, 3));
SELECT id, explode(xs) FROM arrs ORDER BY id, 2;
SELECT x, count(*) FROM arrs LATERAL VIEW explode(xs) t AS x GROUP BY x ORDER BY x;
SELECT id, x FROM arrs LATERAL VIEW OUTER explode(xs) v AS x ORDER BY id, x;
SELECT id, p, x FROM arrs LATERAL VIEW posexplode(xs) v AS p, x ORDER BY id, p;
SELECT id, p, x FROM arrs LATERAL VIEW OUTER posexplode(xs) v AS p, x ORDER BY id, p;
SELECT posexplode(array('a', 'b'));
SELECT id, explode_outer(xs) FROM arrs ORDER BY id, 2;
SELECT k, v FROM (SELECT map('a', 1, 'b', 2) AS m) LATERAL VIEW explode(m) t AS k, v ORDER BY k;
SELECT id, x, y FROM arrs LATERAL VIEW explode(xs) v AS x LATERAL VIEW explode(array(x, -x)) w AS y ORDER BY id, x, y;
