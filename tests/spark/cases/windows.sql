-- Window functions.
CREATE TEMPORARY VIEW emp AS SELECT * FROM (VALUES ('eng', 'ann', 100), ('eng', 'bob', 80), ('eng', 'cid', 80), ('ops', 'dan', 60), ('ops', 'eve', 70)) AS emp(dept, name, salary);
SELECT dept, name, salary, row_number() OVER (PARTITION BY dept ORDER BY salary DESC, name) FROM emp ORDER BY dept, name;
SELECT dept, name, rank() OVER (PARTITION BY dept ORDER BY salary DESC) FROM emp ORDER BY dept, name;
SELECT dept, name, dense_rank() OVER (PARTITION BY dept ORDER BY salary DESC) FROM emp ORDER BY dept, name;
SELECT dept, name, sum(salary) OVER (PARTITION BY dept) FROM emp ORDER BY dept, name;
SELECT dept, name, sum(salary) OVER (PARTITION BY dept ORDER BY name) FROM emp ORDER BY dept, name;
SELECT name, sum(salary) OVER (ORDER BY name ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM emp ORDER BY name;
SELECT name, lag(salary) OVER (ORDER BY name), lead(salary, 2) OVER (ORDER BY name) FROM emp ORDER BY name;
SELECT name, first_value(name) OVER (PARTITION BY dept ORDER BY salary) FROM emp ORDER BY name;
SELECT name, avg(salary) OVER (PARTITION BY dept) FROM emp ORDER BY name;
SELECT name, ntile(2) OVER (ORDER BY name) FROM emp ORDER BY name;
SELECT name, percent_rank() OVER (ORDER BY salary) FROM emp ORDER BY name;
SELECT name, cume_dist() OVER (ORDER BY salary) FROM emp ORDER BY name;
SELECT name, count(*) OVER () FROM emp ORDER BY name;
SELECT dept, max(salary) OVER (PARTITION BY dept ORDER BY salary RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS m FROM emp ORDER BY dept, m;

-- IGNORE NULLS: the nearest non-NULL value (lag/lead) and the first/last non-NULL of the frame.
CREATE TEMPORARY VIEW ign AS SELECT * FROM VALUES (1, 10), (2, NULL), (3, NULL), (4, 40), (5, NULL) AS t(k, v);
SELECT k, lag(v) IGNORE NULLS OVER (ORDER BY k) AS l, lead(v) IGNORE NULLS OVER (ORDER BY k) AS ld FROM ign ORDER BY k;
SELECT k, last_value(v) IGNORE NULLS OVER (ORDER BY k) AS lv, first_value(v) IGNORE NULLS OVER (ORDER BY k ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS fv FROM ign ORDER BY k;
SELECT k, last_value(v, true) OVER (ORDER BY k) AS lv FROM ign ORDER BY k;
-- A window over the opposite order beside lag: lag stays lag (DataFusion reverses it to share a sort).
SELECT k, lag(v) OVER (ORDER BY k) AS l, first_value(v) OVER (ORDER BY k DESC) AS fv FROM ign ORDER BY k;
