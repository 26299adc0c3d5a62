-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: hash
SELECT hash('Spark', array(123), 2);

-- function: hex
SELECT hex(17);

-- function: hex
SELECT hex('Spark SQL');

-- function: histogram_numeric
SELECT histogram_numeric(col, 5) FROM VALUES (0), (1), (2), (10) AS tab(col);

-- function: hll_sketch_agg
SELECT hll_sketch_estimate(hll_sketch_agg(col, 12)) FROM VALUES (1), (1), (2), (2), (3) tab(col);

-- function: hll_sketch_estimate
SELECT hll_sketch_estimate(hll_sketch_agg(col)) FROM VALUES (1), (1), (2), (2), (3) tab(col);

-- function: hll_union
SELECT hll_sketch_estimate(hll_union(hll_sketch_agg(col1), hll_sketch_agg(col2))) FROM VALUES (1, 4), (1, 4), (2, 5), (2, 5), (3, 6) tab(col1, col2);

-- function: hll_union_agg
SELECT hll_sketch_estimate(hll_union_agg(sketch, true)) FROM (SELECT hll_sketch_agg(col) as sketch FROM VALUES (1) tab(col) UNION ALL SELECT hll_sketch_agg(col, 20) as sketch FROM VALUES (1) tab(col));

-- function: hmac
SELECT hex(hmac('key', 'message'));

-- function: hmac
SELECT hex(hmac('key', 'message', 'SHA-512'));

-- function: hour
SELECT hour('2018-02-14 12:58:59');

-- function: hour
SELECT hour(TIMESTAMP_NTZ '2018-02-14 12:58:59.123456789');

-- function: hour
SELECT hour(TIMESTAMP_LTZ '2018-02-14 12:58:59.123456789');

-- function: hour
SELECT hour(TIME'13:59:59.999999');

-- function: hypot
SELECT hypot(3, 4);

