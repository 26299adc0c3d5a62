-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: named_struct
SELECT named_struct("a", 1, "b", 2, "c", 3);

-- function: nanvl
SELECT nanvl(cast('NaN' as double), 123);

-- function: negative
SELECT negative(1);

-- function: next_day
SELECT next_day('2015-01-14', 'TU');

-- function: not
SELECT not true;

-- function: not
SELECT not false;

-- function: not
SELECT not NULL;

-- function: nth_value
SELECT a, b, nth_value(b, 2) OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: ntile
SELECT a, b, ntile(2) OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: nullif
SELECT nullif(2, 2);

-- function: nullifzero
SELECT nullifzero(0);

-- function: nullifzero
SELECT nullifzero(2);

-- function: nvl
SELECT nvl(NULL, array('2'));

-- function: nvl2
SELECT nvl2(NULL, 2, 1);

