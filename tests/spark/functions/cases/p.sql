-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: parse_json
SELECT parse_json('{"a":1,"b":0.8}');

-- function: parse_url
SELECT parse_url('http://spark.apache.org/path?query=1', 'HOST');

-- function: parse_url
SELECT parse_url('http://spark.apache.org/path?query=1', 'QUERY');

-- function: parse_url
SELECT parse_url('http://spark.apache.org/path?query=1', 'QUERY', 'query');

-- function: percent_rank
SELECT a, b, percent_rank(b) OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: percentile
SELECT percentile(col, 0.3) FROM VALUES (0), (10) AS tab(col);

-- function: percentile
SELECT percentile(col, array(0.25, 0.75)) FROM VALUES (0), (10) AS tab(col);

-- function: percentile
SELECT percentile(col, 0.5) FROM VALUES (INTERVAL '0' MONTH), (INTERVAL '10' MONTH) AS tab(col);

-- function: percentile
SELECT percentile(col, array(0.2, 0.5)) FROM VALUES (INTERVAL '0' SECOND), (INTERVAL '10' SECOND) AS tab(col);

-- function: percentile_approx
SELECT percentile_approx(col, array(0.5, 0.4, 0.1), 100) FROM VALUES (0), (1), (2), (10) AS tab(col);

-- function: percentile_approx
SELECT percentile_approx(col, 0.5, 100) FROM VALUES (0), (6), (7), (9), (10) AS tab(col);

-- function: percentile_approx
SELECT percentile_approx(col, 0.5, 100) FROM VALUES (INTERVAL '0' MONTH), (INTERVAL '1' MONTH), (INTERVAL '2' MONTH), (INTERVAL '10' MONTH) AS tab(col);

-- function: percentile_approx
SELECT percentile_approx(col, array(0.5, 0.7), 100) FROM VALUES (INTERVAL '0' SECOND), (INTERVAL '1' SECOND), (INTERVAL '2' SECOND), (INTERVAL '10' SECOND) AS tab(col);

-- function: percentile_cont
SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY col) FROM VALUES (0), (10) AS tab(col);

-- function: percentile_cont
SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY col) FROM VALUES (INTERVAL '0' MONTH), (INTERVAL '10' MONTH) AS tab(col);

-- function: percentile_disc
SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY col) FROM VALUES (0), (10) AS tab(col);

-- function: percentile_disc
SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY col) FROM VALUES (INTERVAL '0' MONTH), (INTERVAL '10' MONTH) AS tab(col);

-- function: pi
SELECT pi();

-- function: pmod
SELECT pmod(10, 3);

-- function: pmod
SELECT pmod(-10, 3);

-- function: posexplode
SELECT posexplode(array(10,20));

-- function: posexplode
SELECT posexplode(collection => array(10,20));

-- function: posexplode_outer
SELECT posexplode_outer(array(10,20));

-- function: posexplode_outer
SELECT posexplode_outer(collection => array(10,20));

-- function: position
SELECT position('bar', 'foobarbar');

-- function: position
SELECT position('bar', 'foobarbar', 5);

-- function: position
SELECT POSITION('bar' IN 'foobarbar');

-- function: positive
SELECT positive(1);

-- function: pow
SELECT pow(2, 3);

-- function: power
SELECT power(2, 3);

-- function: printf
SELECT printf("Hello World %d %s", 100, "days");

-- function: python_worker_logs
SET spark.sql.pyspark.worker.logging.enabled=true;

-- function: python_worker_logs
SELECT * FROM python_worker_logs();

