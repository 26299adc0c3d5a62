-- More joins over tables with duplicates and NULL keys.
CREATE TEMPORARY VIEW emp2 AS SELECT * FROM (VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cid', NULL), (4, 'dan', 10), (5, 'eve', 30)) AS emp2(id, name, dept);
CREATE TEMPORARY VIEW dept2 AS SELECT * FROM (VALUES (10, 'eng'), (20, 'ops'), (40, 'hr'), (NULL, 'none')) AS dept2(did, dname);
SELECT name, dname FROM emp2 JOIN dept2 ON dept = did ORDER BY name;
SELECT name, dname FROM emp2 LEFT JOIN dept2 ON dept = did ORDER BY name;
SELECT name, dname FROM emp2 RIGHT JOIN dept2 ON dept = did ORDER BY dname, name;
SELECT name, dname FROM emp2 FULL JOIN dept2 ON dept = did ORDER BY name, dname;
SELECT dname, count(id) FROM dept2 LEFT JOIN emp2 ON dept = did GROUP BY dname ORDER BY dname;
SELECT name FROM emp2 WHERE dept IN (SELECT did FROM dept2) ORDER BY name;
SELECT name FROM emp2 WHERE dept NOT IN (SELECT did FROM dept2 WHERE did IS NOT NULL) ORDER BY name;
SELECT name FROM emp2 e WHERE NOT EXISTS (SELECT 1 FROM dept2 d WHERE d.did = e.dept) ORDER BY name;
SELECT dname FROM dept2 d WHERE EXISTS (SELECT 1 FROM emp2 e WHERE e.dept = d.did) ORDER BY dname;
SELECT a.name, b.name FROM emp2 a JOIN emp2 b ON a.dept = b.dept AND a.id < b.id ORDER BY a.name;
SELECT e.name, d.dname FROM emp2 e CROSS JOIN dept2 d WHERE d.did = 20 ORDER BY e.name;
SELECT name, dname FROM emp2 JOIN dept2 ON dept <=> did ORDER BY name;
SELECT d.dname, sum(e.id) FROM emp2 e JOIN dept2 d ON e.dept = d.did GROUP BY d.dname HAVING sum(e.id) > 2 ORDER BY 1;
SELECT count(*) FROM emp2 e LEFT ANTI JOIN dept2 d ON e.dept = d.did;
SELECT count(*) FROM emp2 e LEFT SEMI JOIN dept2 d ON e.dept = d.did;
SELECT name FROM emp2 UNION SELECT dname FROM dept2 ORDER BY 1;
SELECT dept FROM emp2 INTERSECT SELECT did FROM dept2 ORDER BY 1;
SELECT dept FROM emp2 EXCEPT SELECT did FROM dept2 ORDER BY 1;

-- ORDER BY ... LIMIT above an inner join: the limit applies to the join's output, not to its
-- sorted input (most left keys here have no partner).
CREATE TEMPORARY VIEW limit_left AS SELECT (id * 7) % 20 AS k, id AS v FROM range(0, 20);
CREATE TEMPORARY VIEW limit_right AS SELECT id * 5 AS k FROM range(0, 4);
SELECT * FROM (SELECT 'x' AS c, k, v FROM limit_left) l JOIN limit_right r ON l.k = r.k ORDER BY l.c, l.k LIMIT 3;
SELECT * FROM (SELECT 'x' AS c, k, sum(v) AS s FROM limit_left GROUP BY k) a, (SELECT 'x' AS c, k, count(*) AS n FROM limit_right GROUP BY k) b WHERE a.k = b.k ORDER BY a.c, a.k LIMIT 3;
-- JOIN … USING (sql-ref-syntax-qry-select-join): one column per USING name, listed first by *.
SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(k, v) RIGHT JOIN VALUES (1, 'x'), (3, 'y') AS s(k, w) USING (k) ORDER BY k;
SELECT k, t.k, s.k FROM VALUES (1, 'a'), (2, 'b') AS t(k, v) FULL OUTER JOIN VALUES (1, 'x'), (3, 'y') AS s(k, w) USING (k) ORDER BY k;
SELECT * FROM VALUES (1, 1, 'a'), (1, 2, 'b') AS t(a, b, v) JOIN VALUES (2, 1, 'x'), (1, 1, 'y') AS s(b, a, w) USING (a, b) ORDER BY v;
SELECT k, count(*) FROM VALUES (1, 'a'), (2, 'b') AS t(k, v) FULL OUTER JOIN VALUES (1, 'x'), (3, 'y') AS s(k, w) USING (k) WHERE k > 1 GROUP BY k ORDER BY k;
SELECT * FROM (SELECT 1 AS k, 2 AS x) a LEFT JOIN (SELECT 1 AS k, 3 AS y) b USING (k);
SELECT v, w FROM VALUES (1, 'a'), (2, 'b') AS t(k, v) FULL JOIN VALUES (1, 'x'), (3, 'y') AS s(k, w) USING (k) ORDER BY k;
