-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: cardinality
SELECT cardinality(array('b', 'd', 'c', 'a'));

-- function: cardinality
SELECT cardinality(map('a', 1, 'b', 2));

-- function: cast
SELECT cast('10' as int);

-- function: cast
SELECT '10' :: int;

-- function: cbrt
SELECT cbrt(27.0);

-- function: ceil
SELECT ceil(-0.1);

-- function: ceil
SELECT ceil(5);

-- function: ceil
SELECT ceil(3.1411, 3);

-- function: ceil
SELECT ceil(3.1411, -3);

-- function: ceiling
SELECT ceiling(-0.1);

-- function: ceiling
SELECT ceiling(5);

-- function: ceiling
SELECT ceiling(3.1411, 3);

-- function: ceiling
SELECT ceiling(3.1411, -3);

-- function: char
SELECT char(65);

-- function: char_length
SELECT char_length('Spark SQL ');

-- function: char_length
SELECT char_length(x'537061726b2053514c');

-- function: char_length
SELECT CHAR_LENGTH('Spark SQL ');

-- function: char_length
SELECT CHARACTER_LENGTH('Spark SQL ');

-- function: character_length
SELECT character_length('Spark SQL ');

-- function: character_length
SELECT character_length(x'537061726b2053514c');

-- function: character_length
SELECT CHAR_LENGTH('Spark SQL ');

-- function: character_length
SELECT CHARACTER_LENGTH('Spark SQL ');

-- function: chr
SELECT chr(65);

-- function: coalesce
SELECT coalesce(NULL, 1, NULL);

-- function: collate
SELECT COLLATION('Spark SQL' collate UTF8_LCASE);

-- function: collation
SELECT collation('Spark SQL');

-- function: collations
SELECT * FROM collations() WHERE NAME = 'UTF8_BINARY';

-- function: collect_list
SELECT collect_list(col) FROM VALUES (1), (2), (1) AS tab(col);

-- function: collect_set
SELECT collect_set(col) FROM VALUES (1), (2), (1) AS tab(col);

-- function: collect_union
SELECT collect_union(col) FROM VALUES (array(1, 2)), (array(2, 3)), (array(1)) AS tab(col);

-- function: concat
SELECT concat('Spark', 'SQL');

-- function: concat
SELECT concat(array(1, 2, 3), array(4, 5), array(6));

-- function: concat_ws
SELECT concat_ws(' ', 'Spark', 'SQL');

-- function: concat_ws
SELECT concat_ws('s');

-- function: concat_ws
SELECT concat_ws('/', 'foo', null, 'bar');

-- function: concat_ws
SELECT concat_ws(null, 'Spark', 'SQL');

-- function: contains
SELECT contains('Spark SQL', 'Spark');

-- function: contains
SELECT contains('Spark SQL', 'SPARK');

-- function: contains
SELECT contains('Spark SQL', null);

-- function: contains
SELECT contains(x'537061726b2053514c', x'537061726b');

-- function: conv
SELECT conv('100', 2, 10);

-- function: conv
SELECT conv(-10, 16, -10);

-- function: convert_timezone
SELECT convert_timezone('Europe/Brussels', 'America/Los_Angeles', timestamp_ntz'2021-12-06 00:00:00');

-- function: convert_timezone
SELECT convert_timezone('Europe/Brussels', timestamp_ntz'2021-12-05 15:00:00');

-- function: corr
SELECT corr(c1, c2) FROM VALUES (3, 2), (3, 3), (6, 4) as tab(c1, c2);

-- function: cos
SELECT cos(0);

-- function: cosh
SELECT cosh(0);

-- function: cot
SELECT cot(1);

-- function: count
SELECT count(*) FROM VALUES (NULL), (5), (5), (20) AS tab(col);

-- function: count
SELECT count(col) FROM VALUES (NULL), (5), (5), (20) AS tab(col);

-- function: count
SELECT count(DISTINCT col) FROM VALUES (NULL), (5), (5), (10) AS tab(col);

-- function: count_if
SELECT count_if(col % 2 = 0) FROM VALUES (NULL), (0), (1), (2), (3) AS tab(col);

-- function: count_if
SELECT count_if(col IS NULL) FROM VALUES (NULL), (0), (1), (2), (3) AS tab(col);

-- function: count_min_sketch
SELECT hex(count_min_sketch(col, 0.5d, 0.5d, 1)) FROM VALUES (1), (2), (1) AS tab(col);

-- function: counter_diff
SELECT m, t, c, counter_diff(c) OVER (PARTITION BY m ORDER BY t) AS diff FROM VALUES ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:00:00', 100), ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:01:00', 200), ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:02:00', 400), ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:03:00', 50), ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:04:00', 100) AS tab(m, t, c) ORDER BY t;

-- function: counter_diff
SELECT m, t, s, c, counter_diff(c, s) OVER (PARTITION BY m ORDER BY t) AS diff FROM VALUES ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:00:00', 100, TIMESTAMP_NTZ '2026-01-01 00:00:00'), ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:01:00', 200, TIMESTAMP_NTZ '2026-01-01 00:00:00'), ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:02:00', 400, TIMESTAMP_NTZ '2026-01-01 00:00:00'), ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:03:00', 500, TIMESTAMP_NTZ '2026-01-01 00:02:15'), ('http_requests', TIMESTAMP_NTZ '2026-01-01 00:04:00', 600, TIMESTAMP_NTZ '2026-01-01 00:02:15') AS tab(m, t, c, s) ORDER BY t;

-- function: covar_pop
SELECT covar_pop(c1, c2) FROM VALUES (1,1), (2,2), (3,3) AS tab(c1, c2);

-- function: covar_samp
SELECT covar_samp(c1, c2) FROM VALUES (1,1), (2,2), (3,3) AS tab(c1, c2);

-- function: crc32
SELECT crc32('Spark');

-- function: csc
SELECT csc(1);

-- function: cume_dist
SELECT a, b, cume_dist() OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: current_path
SELECT current_path();

