-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: radians
SELECT radians(180);

-- function: raise_error
SELECT raise_error('custom error message');

-- function: range
SELECT * FROM range(1);

-- function: range
SELECT * FROM range(0, 2);

-- function: range
SELECT * FROM range(0, 4, 2);

-- function: rank
SELECT a, b, rank(b) OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: reduce
SELECT reduce(array(1, 2, 3), 0, (acc, x) -> acc + x);

-- function: reduce
SELECT reduce(array(1, 2, 3), 0, (acc, x) -> acc + x, acc -> acc * 10);

-- function: regexp
SET spark.sql.parser.escapedStringLiterals=true;

-- function: regexp
SELECT regexp('%SystemDrive%\Users\John', '%SystemDrive%\\Users.*');

-- function: regexp
SET spark.sql.parser.escapedStringLiterals=false;

-- function: regexp
SELECT regexp('%SystemDrive%\\Users\\John', '%SystemDrive%\\\\Users.*');

-- function: regexp
SELECT regexp('%SystemDrive%\\Users\\John', r'%SystemDrive%\\Users.*');

-- function: regexp_count
SELECT regexp_count('Steven Jones and Stephen Smith are the best players', 'Ste(v|ph)en');

-- function: regexp_count
SELECT regexp_count('abcdefghijklmnopqrstuvwxyz', '[a-z]{3}');

-- function: regexp_extract
SELECT regexp_extract('100-200', '(\\d+)-(\\d+)', 1);

-- function: regexp_extract
SELECT regexp_extract('100-200', r'(\d+)-(\d+)', 1);

-- function: regexp_extract_all
SELECT regexp_extract_all('100-200, 300-400', '(\\d+)-(\\d+)', 1);

-- function: regexp_extract_all
SELECT regexp_extract_all('100-200, 300-400', r'(\d+)-(\d+)', 1);

-- function: regexp_instr
SELECT regexp_instr(r"\abc", r"^\\abc$");

-- function: regexp_instr
SELECT regexp_instr('user@spark.apache.org', '@[^.]*');

-- function: regexp_like
SET spark.sql.parser.escapedStringLiterals=true;

-- function: regexp_like
SELECT regexp_like('%SystemDrive%\Users\John', '%SystemDrive%\\Users.*');

-- function: regexp_like
SET spark.sql.parser.escapedStringLiterals=false;

-- function: regexp_like
SELECT regexp_like('%SystemDrive%\\Users\\John', '%SystemDrive%\\\\Users.*');

-- function: regexp_like
SELECT regexp_like('%SystemDrive%\\Users\\John', r'%SystemDrive%\\Users.*');

-- function: regexp_replace
SELECT regexp_replace('100-200', '(\\d+)', 'num');

-- function: regexp_replace
SELECT regexp_replace('100-200', r'(\d+)', 'num');

-- function: regexp_substr
SELECT regexp_substr('Steven Jones and Stephen Smith are the best players', 'Ste(v|ph)en');

-- function: regexp_substr
SELECT regexp_substr('Steven Jones and Stephen Smith are the best players', 'Jeck');

-- function: regr_avgx
SELECT regr_avgx(y, x) FROM VALUES (1, 2), (2, 2), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_avgx
SELECT regr_avgx(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_avgx
SELECT regr_avgx(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_avgx
SELECT regr_avgx(y, x) FROM VALUES (1, 2), (2, null), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_avgx
SELECT regr_avgx(y, x) FROM VALUES (1, 2), (2, null), (null, 3), (2, 4) AS tab(y, x);

-- function: regr_avgy
SELECT regr_avgy(y, x) FROM VALUES (1, 2), (2, 2), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_avgy
SELECT regr_avgy(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_avgy
SELECT regr_avgy(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_avgy
SELECT regr_avgy(y, x) FROM VALUES (1, 2), (2, null), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_avgy
SELECT regr_avgy(y, x) FROM VALUES (1, 2), (2, null), (null, 3), (2, 4) AS tab(y, x);

-- function: regr_count
SELECT regr_count(y, x) FROM VALUES (1, 2), (2, 2), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_count
SELECT regr_count(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_count
SELECT regr_count(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_count
SELECT regr_count(y, x) FROM VALUES (1, 2), (2, null), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_count
SELECT regr_count(y, x) FROM VALUES (1, 2), (2, null), (null, 3), (2, 4) AS tab(y, x);

-- function: regr_intercept
SELECT regr_intercept(y, x) FROM VALUES (1, 1), (2, 2), (3, 3), (4, 4) AS tab(y, x);

-- function: regr_intercept
SELECT regr_intercept(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_intercept
SELECT regr_intercept(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_intercept
SELECT regr_intercept(y, x) FROM VALUES (1, 1), (2, null), (3, 3), (4, 4) AS tab(y, x);

-- function: regr_intercept
SELECT regr_intercept(y, x) FROM VALUES (1, 1), (2, null), (null, 3), (4, 4) AS tab(y, x);

-- function: regr_r2
SELECT regr_r2(y, x) FROM VALUES (1, 2), (2, 2), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_r2
SELECT regr_r2(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_r2
SELECT regr_r2(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_r2
SELECT regr_r2(y, x) FROM VALUES (1, 2), (2, null), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_r2
SELECT regr_r2(y, x) FROM VALUES (1, 2), (2, null), (null, 3), (2, 4) AS tab(y, x);

-- function: regr_slope
SELECT regr_slope(y, x) FROM VALUES (1, 1), (2, 2), (3, 3), (4, 4) AS tab(y, x);

-- function: regr_slope
SELECT regr_slope(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_slope
SELECT regr_slope(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_slope
SELECT regr_slope(y, x) FROM VALUES (1, 1), (2, null), (3, 3), (4, 4) AS tab(y, x);

-- function: regr_slope
SELECT regr_slope(y, x) FROM VALUES (1, 1), (2, null), (null, 3), (4, 4) AS tab(y, x);

-- function: regr_sxx
SELECT regr_sxx(y, x) FROM VALUES (1, 2), (2, 2), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_sxx
SELECT regr_sxx(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_sxx
SELECT regr_sxx(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_sxx
SELECT regr_sxx(y, x) FROM VALUES (1, 2), (2, null), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_sxx
SELECT regr_sxx(y, x) FROM VALUES (1, 2), (2, null), (null, 3), (2, 4) AS tab(y, x);

-- function: regr_sxy
SELECT regr_sxy(y, x) FROM VALUES (1, 2), (2, 2), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_sxy
SELECT regr_sxy(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_sxy
SELECT regr_sxy(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_sxy
SELECT regr_sxy(y, x) FROM VALUES (1, 2), (2, null), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_sxy
SELECT regr_sxy(y, x) FROM VALUES (1, 2), (2, null), (null, 3), (2, 4) AS tab(y, x);

-- function: regr_syy
SELECT regr_syy(y, x) FROM VALUES (1, 2), (2, 2), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_syy
SELECT regr_syy(y, x) FROM VALUES (1, null) AS tab(y, x);

-- function: regr_syy
SELECT regr_syy(y, x) FROM VALUES (null, 1) AS tab(y, x);

-- function: regr_syy
SELECT regr_syy(y, x) FROM VALUES (1, 2), (2, null), (2, 3), (2, 4) AS tab(y, x);

-- function: regr_syy
SELECT regr_syy(y, x) FROM VALUES (1, 2), (2, null), (null, 3), (2, 4) AS tab(y, x);

-- function: repeat
SELECT repeat('123', 2);

-- function: replace
SELECT replace('ABCabc', 'abc', 'DEF');

-- function: reverse
SELECT reverse('Spark SQL');

-- function: reverse
SELECT reverse(array(2, 1, 4, 3));

-- function: reverse
SELECT hex(reverse(x'CAFE'));

-- function: right
SELECT right('Spark SQL', 3);

-- function: rint
SELECT rint(12.3456);

-- function: rlike
SET spark.sql.parser.escapedStringLiterals=true;

-- function: rlike
SELECT rlike('%SystemDrive%\Users\John', '%SystemDrive%\\Users.*');

-- function: rlike
SET spark.sql.parser.escapedStringLiterals=false;

-- function: rlike
SELECT rlike('%SystemDrive%\\Users\\John', '%SystemDrive%\\\\Users.*');

-- function: rlike
SELECT rlike('%SystemDrive%\\Users\\John', r'%SystemDrive%\\Users.*');

-- function: round
SELECT round(2.5, 0);

-- function: row_number
SELECT a, b, row_number() OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: rpad
SELECT rpad('hi', 5, '??');

-- function: rpad
SELECT rpad('hi', 1, '??');

-- function: rpad
SELECT rpad('hi', 5);

-- function: rpad
SELECT hex(rpad(unhex('aabb'), 5));

-- function: rpad
SELECT hex(rpad(unhex('aabb'), 5, unhex('1122')));

-- function: rtrim
SELECT rtrim('    SparkSQL   ');

