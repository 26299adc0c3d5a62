-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: date_add
SELECT date_add('2016-07-30', 1);

-- function: date_diff
SELECT date_diff('2009-07-31', '2009-07-30');

-- function: date_diff
SELECT date_diff('2009-07-30', '2009-07-31');

-- function: date_format
SELECT date_format('2016-04-08', 'y');

-- function: date_format
SELECT date_format(TIME'14:30:45', 'HH:mm:ss');

-- function: date_from_unix_date
SELECT date_from_unix_date(1);

-- function: date_part
SELECT date_part('YEAR', TIMESTAMP '2019-08-12 01:00:00.123456');

-- function: date_part
SELECT date_part('week', timestamp'2019-08-12 01:00:00.123456');

-- function: date_part
SELECT date_part('doy', DATE'2019-08-12');

-- function: date_part
SELECT date_part('SECONDS', timestamp'2019-10-01 00:00:01.000001');

-- function: date_part
SELECT date_part('days', interval 5 days 3 hours 7 minutes);

-- function: date_part
SELECT date_part('seconds', interval 5 hours 30 seconds 1 milliseconds 1 microseconds);

-- function: date_part
SELECT date_part('MONTH', INTERVAL '2021-11' YEAR TO MONTH);

-- function: date_part
SELECT date_part('MINUTE', INTERVAL '123 23:55:59.002001' DAY TO SECOND);

-- function: date_part
SELECT date_part('HOUR', TIME'09:08:01.000001');

-- function: date_sub
SELECT date_sub('2016-07-30', 1);

-- function: date_trunc
SELECT date_trunc('YEAR', '2015-03-05T09:32:05.359');

-- function: date_trunc
SELECT date_trunc('MM', '2015-03-05T09:32:05.359');

-- function: date_trunc
SELECT date_trunc('DD', '2015-03-05T09:32:05.359');

-- function: date_trunc
SELECT date_trunc('HOUR', '2015-03-05T09:32:05.359');

-- function: date_trunc
SELECT date_trunc('MILLISECOND', '2015-03-05T09:32:05.123456');

-- function: date_trunc
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: date_trunc
SELECT date_trunc('MICROSECOND', TIMESTAMP_NTZ '2015-03-05 09:32:05.123456789');

-- function: dateadd
SELECT dateadd('2016-07-30', 1);

-- function: datediff
SELECT datediff('2009-07-31', '2009-07-30');

-- function: datediff
SELECT datediff('2009-07-30', '2009-07-31');

-- function: datepart
SELECT datepart('YEAR', TIMESTAMP '2019-08-12 01:00:00.123456');

-- function: datepart
SELECT datepart('week', timestamp'2019-08-12 01:00:00.123456');

-- function: datepart
SELECT datepart('doy', DATE'2019-08-12');

-- function: datepart
SELECT datepart('SECONDS', timestamp'2019-10-01 00:00:01.000001');

-- function: datepart
SELECT datepart('days', interval 5 days 3 hours 7 minutes);

-- function: datepart
SELECT datepart('seconds', interval 5 hours 30 seconds 1 milliseconds 1 microseconds);

-- function: datepart
SELECT datepart('MONTH', INTERVAL '2021-11' YEAR TO MONTH);

-- function: datepart
SELECT datepart('MINUTE', INTERVAL '123 23:55:59.002001' DAY TO SECOND);

-- function: datepart
SELECT datepart('HOUR', TIME'09:08:01.000001');

-- function: day
SELECT day('2009-07-30');

-- function: day
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: day
SELECT day(TIMESTAMP_NTZ '2009-07-30 12:00:00.123456789');

-- function: dayname
SELECT dayname(DATE('2008-02-20'));

-- function: dayname
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: dayname
SELECT dayname(TIMESTAMP_NTZ '2008-02-20 12:00:00.123456789');

-- function: dayofmonth
SELECT dayofmonth('2009-07-30');

-- function: dayofmonth
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: dayofmonth
SELECT dayofmonth(TIMESTAMP_NTZ '2009-07-30 12:00:00.123456789');

-- function: dayofweek
SELECT dayofweek('2009-07-30');

-- function: dayofweek
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: dayofweek
SELECT dayofweek(TIMESTAMP_NTZ '2009-07-30 12:00:00.123456789');

-- function: dayofyear
SELECT dayofyear('2016-04-09');

-- function: dayofyear
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: dayofyear
SELECT dayofyear(TIMESTAMP_NTZ '2016-04-09 12:00:00.123456789');

-- function: decode
SELECT decode(encode('abc', 'utf-8'), 'utf-8');

-- function: decode
SELECT decode(2, 1, 'Southlake', 2, 'San Francisco', 3, 'New Jersey', 4, 'Seattle', 'Non domestic');

-- function: decode
SELECT decode(6, 1, 'Southlake', 2, 'San Francisco', 3, 'New Jersey', 4, 'Seattle', 'Non domestic');

-- function: decode
SELECT decode(6, 1, 'Southlake', 2, 'San Francisco', 3, 'New Jersey', 4, 'Seattle');

-- function: decode
SELECT decode(null, 6, 'Spark', NULL, 'SQL', 4, 'rocks');

-- function: degrees
SELECT degrees(3.141592653589793);

-- function: dense_rank
SELECT a, b, dense_rank(b) OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: div
SELECT 3 div 2;

-- function: div
SELECT INTERVAL '1-1' YEAR TO MONTH div INTERVAL '-1' MONTH;

