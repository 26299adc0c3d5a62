-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: abs
SELECT abs(-1);

-- function: abs
SELECT abs(INTERVAL -'1-1' YEAR TO MONTH);

-- function: acos
SELECT acos(1);

-- function: acos
SELECT acos(2);

-- function: acosh
SELECT acosh(1);

-- function: acosh
SELECT acosh(0);

-- function: add_months
SELECT add_months('2016-08-31', 1);

-- function: aggregate
SELECT aggregate(array(1, 2, 3), 0, (acc, x) -> acc + x);

-- function: aggregate
SELECT aggregate(array(1, 2, 3), 0, (acc, x) -> acc + x, acc -> acc * 10);

-- function: and
SELECT true and true;

-- function: and
SELECT true and false;

-- function: and
SELECT true and NULL;

-- function: and
SELECT false and NULL;

-- function: any
SELECT any(col) FROM VALUES (true), (false), (false) AS tab(col);

-- function: any
SELECT any(col) FROM VALUES (NULL), (true), (false) AS tab(col);

-- function: any
SELECT any(col) FROM VALUES (false), (false), (NULL) AS tab(col);

-- function: any_value
SELECT any_value(col) FROM VALUES (10), (5), (20) AS tab(col);

-- function: any_value
SELECT any_value(col) FROM VALUES (NULL), (5), (20) AS tab(col);

-- function: any_value
SELECT any_value(col, true) FROM VALUES (NULL), (5), (20) AS tab(col);

-- function: approx_count_distinct
SELECT approx_count_distinct(col1) FROM VALUES (1), (1), (2), (2), (3) tab(col1);

-- function: approx_percentile
SELECT approx_percentile(col, array(0.5, 0.4, 0.1), 100) FROM VALUES (0), (1), (2), (10) AS tab(col);

-- function: approx_percentile
SELECT approx_percentile(col, 0.5, 100) FROM VALUES (0), (6), (7), (9), (10) AS tab(col);

-- function: approx_percentile
SELECT approx_percentile(col, 0.5, 100) FROM VALUES (INTERVAL '0' MONTH), (INTERVAL '1' MONTH), (INTERVAL '2' MONTH), (INTERVAL '10' MONTH) AS tab(col);

-- function: approx_percentile
SELECT approx_percentile(col, array(0.5, 0.7), 100) FROM VALUES (INTERVAL '0' SECOND), (INTERVAL '1' SECOND), (INTERVAL '2' SECOND), (INTERVAL '10' SECOND) AS tab(col);

-- function: approx_top_k
SELECT approx_top_k(expr) FROM VALUES (0), (0), (1), (1), (2), (3), (4), (4) AS tab(expr);

-- function: approx_top_k
SELECT approx_top_k(expr, 2) FROM VALUES 'a', 'b', 'c', 'c', 'c', 'c', 'd', 'd' AS tab(expr);

-- function: approx_top_k
SELECT approx_top_k(expr, 10, 100) FROM VALUES (0), (1), (1), (2), (2), (2) AS tab(expr);

-- function: approx_top_k_accumulate
SELECT approx_top_k_estimate(approx_top_k_accumulate(expr)) FROM VALUES (0), (0), (1), (1), (2), (3), (4), (4) AS tab(expr);

-- function: approx_top_k_accumulate
SELECT approx_top_k_estimate(approx_top_k_accumulate(expr, 100), 2) FROM VALUES 'a', 'b', 'c', 'c', 'c', 'c', 'd', 'd' AS tab(expr);

-- function: approx_top_k_combine
SELECT approx_top_k_estimate(approx_top_k_combine(sketch, 10000), 5) FROM (SELECT approx_top_k_accumulate(expr) AS sketch FROM VALUES (0), (0), (1), (1) AS tab(expr) UNION ALL SELECT approx_top_k_accumulate(expr) AS sketch FROM VALUES (2), (3), (4), (4) AS tab(expr));

-- function: approx_top_k_estimate
SELECT approx_top_k_estimate(approx_top_k_accumulate(expr)) FROM VALUES (0), (0), (1), (1), (2), (3), (4), (4) AS tab(expr);

-- function: approx_top_k_estimate
SELECT approx_top_k_estimate(approx_top_k_accumulate(expr), 2) FROM VALUES 'a', 'b', 'c', 'c', 'c', 'c', 'd', 'd' tab(expr);

-- function: array
SELECT array(1, 2, 3);

-- function: array_agg
SELECT array_agg(col) FROM VALUES (1), (2), (1) AS tab(col);

-- function: array_append
SELECT array_append(array('b', 'd', 'c', 'a'), 'd');

-- function: array_append
SELECT array_append(array(1, 2, 3, null), null);

-- function: array_append
SELECT array_append(CAST(null as Array<Int>), 2);

-- function: array_compact
SELECT array_compact(array(1, 2, 3, null));

-- function: array_compact
SELECT array_compact(array("a", "b", "c"));

-- function: array_contains
SELECT array_contains(array(1, 2, 3), 2);

-- function: array_contains
SELECT array_contains(array(1, NULL, 3), 2);

-- function: array_distinct
SELECT array_distinct(array(1, 2, 3, null, 3));

-- function: array_except
SELECT array_except(array(1, 2, 3), array(1, 3, 5));

-- function: array_insert
SELECT array_insert(array(1, 2, 3, 4), 5, 5);

-- function: array_insert
SELECT array_insert(array(5, 4, 3, 2), -1, 1);

-- function: array_insert
SELECT array_insert(array(5, 3, 2, 1), -4, 4);

-- function: array_intersect
SELECT array_intersect(array(1, 2, 3), array(1, 3, 5));

-- function: array_join
SELECT array_join(array('hello', 'world'), ' ');

-- function: array_join
SELECT array_join(array('hello', null ,'world'), ' ');

-- function: array_join
SELECT array_join(array('hello', null ,'world'), ' ', ',');

-- function: array_max
SELECT array_max(array(1, 20, null, 3));

-- function: array_min
SELECT array_min(array(1, 20, null, 3));

-- function: array_position
SELECT array_position(array(312, 773, 708, 708), 708);

-- function: array_position
SELECT array_position(array(312, 773, 708, 708), 414);

-- function: array_prepend
SELECT array_prepend(array('b', 'd', 'c', 'a'), 'd');

-- function: array_prepend
SELECT array_prepend(array(1, 2, 3, null), null);

-- function: array_prepend
SELECT array_prepend(CAST(null as Array<Int>), 2);

-- function: array_remove
SELECT array_remove(array(1, 2, 3, null, 3), 3);

-- function: array_repeat
SELECT array_repeat('123', 2);

-- function: array_size
SELECT array_size(array('b', 'd', 'c', 'a'));

-- function: array_sort
SELECT array_sort(array(5, 6, 1), (left, right) -> case when left < right then -1 when left > right then 1 else 0 end);

-- function: array_sort
SELECT array_sort(array('bc', 'ab', 'dc'), (left, right) -> case when left is null and right is null then 0 when left is null then -1 when right is null then 1 when left < right then 1 when left > right then -1 else 0 end);

-- function: array_sort
SELECT array_sort(array('b', 'd', null, 'c', 'a'));

-- function: array_union
SELECT array_union(array(1, 2, 3), array(1, 3, 5));

-- function: arrays_overlap
SELECT arrays_overlap(array(1, 2, 3), array(3, 4, 5));

-- function: arrays_zip
SELECT arrays_zip(array(1, 2, 3), array(2, 3, 4));

-- function: arrays_zip
SELECT arrays_zip(array(1, 2), array(2, 3), array(3, 4));

-- function: ascii
SELECT ascii('222');

-- function: ascii
SELECT ascii(2);

-- function: asin
SELECT asin(0);

-- function: asin
SELECT asin(2);

-- function: asinh
SELECT asinh(0);

-- function: assert_true
SELECT assert_true(0 < 1);

-- function: atan
SELECT atan(0);

-- function: atan2
SELECT atan2(0, 0);

-- function: atanh
SELECT atanh(0);

-- function: atanh
SELECT atanh(2);

-- function: avg
SELECT avg(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: avg
SELECT avg(col) FROM VALUES (1), (2), (NULL) AS tab(col);

