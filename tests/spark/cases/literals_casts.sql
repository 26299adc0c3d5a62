-- Literals and casts.
SELECT 1L, 2S, 3Y, 1.5D, 1.5BD;
SELECT 123, 123.45, -0.5, 1E3, 1.5e-3;
SELECT 'it''s', "double quoted";
SELECT true, false, NULL;
SELECT X'41', CAST(X'4142' AS STRING);
SELECT CAST('42' AS INT), CAST('3.7' AS DOUBLE), CAST(3.7 AS INT), CAST(-3.7 AS INT);
SELECT CAST(42 AS STRING), CAST(4.20 AS STRING), CAST(true AS STRING);
SELECT CAST('abc' AS INT);
SELECT try_cast('abc' AS INT), try_cast('12' AS INT);
SELECT CAST(1 AS BOOLEAN), CAST(0 AS BOOLEAN), CAST('true' AS BOOLEAN);
SELECT CAST(123.456 AS DECIMAL(5,1)), CAST(1 AS DECIMAL(10,2));
SELECT CAST(12345.6 AS DECIMAL(4,1));
SELECT CAST(300 AS TINYINT);
SELECT CAST(1.0E10 AS STRING), CAST(0.1 AS FLOAT);
SELECT typeof(1), typeof(1L), typeof(1.5), typeof(1.5D), typeof('a'), typeof(date '2020-01-01');
SELECT array(1, 2, 3), array('a', NULL);
SELECT map('a', 1, 'b', 2), struct(1, 'x'), named_struct('p', 1, 'q', 'v');
SELECT array(1, 2)[0], element_at(array(1, 2), 2), map('k', 'v')['k'];
SELECT cardinality(array(1, 2, 3)), array_contains(array(1, 2), 2);
SELECT sort_array(array(3, 1, 2)), array_distinct(array(1, 1, 2));
SELECT CAST(NULL AS INT), CAST(NULL AS STRING);
SELECT 9223372036854775807L + 1;
SELECT interval 3 days;
-- Interval literals with a unit range (sql-ref-literals, interval literal syntax), used in arithmetic.
SELECT DATE '2024-01-31' + INTERVAL '0-1' YEAR TO MONTH, DATE '2024-03-31' - INTERVAL '1-1' YEAR TO MONTH;
SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1 02:03:04.5' DAY TO SECOND, TIMESTAMP '2024-01-01 00:00:00' - INTERVAL '01:30' HOUR TO MINUTE;
SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL -'1 02' DAY TO HOUR, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '-10:30' MINUTE TO SECOND;
-- Multi-unit interval literals and interval strings (sql-ref-literals), used in arithmetic.
SELECT TIMESTAMP '2024-01-01 00:00:00' + interval 30 day 40 hour 50 minute 6.7890 second, DATE '2024-01-31' + interval 1 year 1 month;
SELECT TIMESTAMP '2024-01-01 00:00:00' - interval 1 day 2 hours, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1 day 2 hours';
