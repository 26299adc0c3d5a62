-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: weekday
SELECT weekday('2009-07-30');

-- function: weekday
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: weekday
SELECT weekday(TIMESTAMP_NTZ '2009-07-30 12:00:00.123456789');

-- function: weekofyear
SELECT weekofyear('2008-02-20');

-- function: weekofyear
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: weekofyear
SELECT weekofyear(TIMESTAMP_NTZ '2008-02-20 12:00:00.123456789');

-- function: when
SELECT CASE WHEN 1 > 0 THEN 1 WHEN 2 > 0 THEN 2.0 ELSE 1.2 END;

-- function: when
SELECT CASE WHEN 1 < 0 THEN 1 WHEN 2 > 0 THEN 2.0 ELSE 1.2 END;

-- function: when
SELECT CASE WHEN 1 < 0 THEN 1 WHEN 2 < 0 THEN 2.0 END;

-- function: width_bucket
SELECT width_bucket(5.3, 0.2, 10.6, 5);

-- function: width_bucket
SELECT width_bucket(-2.1, 1.3, 3.4, 3);

-- function: width_bucket
SELECT width_bucket(8.1, 0.0, 5.7, 4);

-- function: width_bucket
SELECT width_bucket(-0.9, 5.2, 0.5, 2);

-- function: width_bucket
SELECT width_bucket(INTERVAL '0' YEAR, INTERVAL '0' YEAR, INTERVAL '10' YEAR, 10);

-- function: width_bucket
SELECT width_bucket(INTERVAL '1' YEAR, INTERVAL '0' YEAR, INTERVAL '10' YEAR, 10);

-- function: width_bucket
SELECT width_bucket(INTERVAL '0' DAY, INTERVAL '0' DAY, INTERVAL '10' DAY, 10);

-- function: width_bucket
SELECT width_bucket(INTERVAL '1' DAY, INTERVAL '0' DAY, INTERVAL '10' DAY, 10);

-- function: window
SELECT a, window.start, window.end, count(*) as cnt FROM VALUES ('A1', '2021-01-01 00:00:00'), ('A1', '2021-01-01 00:04:30'), ('A1', '2021-01-01 00:06:00'), ('A2', '2021-01-01 00:01:00') AS tab(a, b) GROUP by a, window(b, '5 minutes') ORDER BY a, start;

-- function: window
SELECT a, window.start, window.end, count(*) as cnt FROM VALUES ('A1', '2021-01-01 00:00:00'), ('A1', '2021-01-01 00:04:30'), ('A1', '2021-01-01 00:06:00'), ('A2', '2021-01-01 00:01:00') AS tab(a, b) GROUP by a, window(b, '10 minutes', '5 minutes') ORDER BY a, start;

-- function: window_time
SELECT a, window.start as start, window.end as end, window_time(window), cnt FROM (SELECT a, window, count(*) as cnt FROM VALUES ('A1', '2021-01-01 00:00:00'), ('A1', '2021-01-01 00:04:30'), ('A1', '2021-01-01 00:06:00'), ('A2', '2021-01-01 00:01:00') AS tab(a, b) GROUP by a, window(b, '5 minutes') ORDER BY a, window.start);

