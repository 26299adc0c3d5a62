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
