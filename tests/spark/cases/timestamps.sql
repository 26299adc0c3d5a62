-- Spark's TIMESTAMP (an instant shown in spark.sql.session.timeZone, also TIMESTAMP_LTZ) and
-- TIMESTAMP_NTZ (a wall-clock time): sql-ref-datatypes, sql-ref-literals, sql-ref-datetime-pattern.
SELECT TIMESTAMP '2024-03-10 01:30:00', TIMESTAMP_NTZ '2024-03-10 01:30:00', TIMESTAMP_LTZ '2024-03-10 01:30:00';
SELECT typeof(TIMESTAMP '2024-01-01 00:00:00'), typeof(TIMESTAMP_NTZ '2024-01-01 00:00:00'), typeof(current_timestamp()), typeof(to_timestamp('2024-01-01'));
SELECT CAST('2024-01-01 10:00:00' AS TIMESTAMP), CAST('2024-01-01 10:00:00' AS TIMESTAMP_NTZ), CAST(DATE '2024-01-01' AS TIMESTAMP);
SELECT to_timestamp('2016-12-31 00:12:00'), to_timestamp('2016-12-31', 'yyyy-MM-dd'), timestamp_seconds(1230219000), timestamp_millis(1230219000123), timestamp_micros(1230219000123123);
SELECT CAST(TIMESTAMP '2024-01-01 10:00:00' AS STRING), CAST(TIMESTAMP '2024-01-01 10:00:00' AS DATE), CAST(TIMESTAMP '2024-01-01 10:00:00' AS TIMESTAMP_NTZ), CAST(TIMESTAMP_NTZ '2024-01-01 10:00:00' AS TIMESTAMP);
SELECT unix_timestamp(TIMESTAMP '2024-01-01 10:00:00'), hour(TIMESTAMP '2024-01-01 10:00:00'), date_format(TIMESTAMP '2024-01-01 10:00:00', 'yyyy-MM-dd HH:mm:ss');
SET spark.sql.session.timeZone=America/Los_Angeles;
SELECT TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP_NTZ '2024-01-01 10:00:00';
SELECT unix_timestamp(TIMESTAMP '2024-01-01 10:00:00'), hour(TIMESTAMP '2024-01-01 10:00:00'), CAST(TIMESTAMP '2024-01-01 10:00:00' AS STRING);
SELECT timestamp_seconds(0), to_timestamp('2024-01-01 10:00:00'), date_format(timestamp_seconds(0), 'yyyy-MM-dd HH:mm');
SELECT CAST(timestamp_seconds(0) AS TIMESTAMP_NTZ), CAST(TIMESTAMP_NTZ '1970-01-01 00:00:00' AS TIMESTAMP) = timestamp_seconds(0), unix_timestamp(CAST(TIMESTAMP_NTZ '1970-01-01 00:00:00' AS TIMESTAMP));
SELECT TIMESTAMP '2024-01-01 10:00:00' = TIMESTAMP_NTZ '2024-01-01 10:00:00';
SELECT CAST(TIMESTAMP '2024-01-01 23:30:00' AS DATE), date_trunc('DAY', TIMESTAMP '2024-01-01 23:30:00');
SELECT hour(timestamp_seconds(0)), month(timestamp_seconds(0)), to_date(timestamp_seconds(0));
SET spark.sql.session.timeZone=UTC;
SELECT TIMESTAMP '2024-01-01 10:00:00' + INTERVAL 1 DAY, TIMESTAMP '2024-01-01 10:00:00' < TIMESTAMP '2024-01-02 00:00:00';
SELECT max(t), min(t), count(DISTINCT t) FROM VALUES (TIMESTAMP '2024-01-01 10:00:00'), (TIMESTAMP '2023-01-01 10:00:00') AS v(t);
SELECT t, count(*) FROM VALUES (TIMESTAMP_NTZ '2024-01-01 10:00:00'), (TIMESTAMP_NTZ '2024-01-01 10:00:00') AS v(t) GROUP BY t;
SELECT to_timestamp_ntz('2011-05-06 07:08:09.1234567'), to_timestamp_ntz('2016-12-31', 'yyyy-MM-dd'), to_timestamp_ltz('2016-12-31 00:12:00'), to_timestamp_ltz('2016-12-31', 'yyyy-MM-dd');
SELECT typeof(to_timestamp_ntz('2016-12-31')), typeof(to_timestamp_ltz('2016-12-31'));
SET spark.sql.session.timeZone=America/Los_Angeles;
SELECT to_timestamp_ntz(timestamp_seconds(0)), to_timestamp_ltz(TIMESTAMP_NTZ '1970-01-01 00:00:00') = timestamp_seconds(0), to_timestamp_ntz('1970-01-01 00:00:00') = TIMESTAMP_NTZ '1970-01-01 00:00:00';
SELECT to_timestamp_ntz('abc');
SELECT make_timestamp(2014, 12, 28, 6, 30, 45.887), make_timestamp(2014, 12, 28, 6, 30, 45.887, 'UTC'), make_timestamp_ntz(2014, 12, 28, 6, 30, 45.887), unix_timestamp(make_timestamp(1970, 1, 1, 0, 0, 0));
SELECT make_timestamp(2019, 2, 30, 0, 0, 0);
SELECT try_make_timestamp(2019, 2, 30, 0, 0, 0), try_make_timestamp_ntz(2019, 6, 30, 23, 59, 60);
SET spark.sql.session.timeZone=UTC;
-- timestampadd / timestampdiff with a unit keyword (also dateadd, date_add, datediff, date_diff).
SELECT dateadd(MICROSECOND, 1001, timestamp'2022-02-25 01:02:03.123'), date_add(MINUTE, -100, date'2022-02-25'), dateadd(QUARTER, 5, date'2022-02-25'), timestampadd(MONTH, -1, timestamp'2022-03-31 01:02:03'), timestampadd(DAY, 1, timestamp_ntz'2022-02-28 01:02:03');
SELECT datediff(MICROSECOND, timestamp'2022-02-25 01:02:03.123', timestamp'2022-02-25 01:02:03.124001'), date_diff(MILLISECOND, timestamp'2022-02-25 01:02:03.456', timestamp'2022-02-25 01:02:03.455'), date_diff(DAY, date'2022-02-25', timestamp'2023-02-27 00:00:00'), datediff(WEEK, timestamp'2022-02-25 01:02:03', timestamp'2022-01-28 01:02:03'), datediff(QUARTER, date'2022-02-25', date'2023-05-25');
SELECT timestampdiff(MONTH, timestamp'2022-01-31 10:00:00', timestamp'2022-02-28 09:00:00'), timestampdiff(YEAR, date'2020-02-29', date'2021-02-28'), timestampdiff(HOUR, timestamp_ntz'2022-01-01 00:00:00', timestamp_ntz'2021-12-31 22:30:00'), timestampadd(YEAR, 1, date'2020-02-29');
SELECT timestampadd('MONTH', -1, timestamp'2022-02-14 01:02:03');
SELECT typeof(timestampadd(HOUR, 1, timestamp_ntz'2022-02-14 01:02:03')), typeof(timestampadd(HOUR, 1, date'2022-02-14')), datediff('2022-01-02', '2022-01-01'), date_add('2022-01-01', 3);
-- EXTRACT and date_part: Spark's field names and abbreviations, a string source, SECOND with
-- its fraction, fields of intervals.
CREATE TEMPORARY VIEW extract_src AS SELECT '2011-05-06 07:08:09.1234567' AS c, to_timestamp_ntz('2011-05-06 07:08:09.1234567') AS ntz, interval 10 year 20 month AS i, interval 30 day 40 hour 50 minute 6.7890 second AS j;
SELECT extract(year FROM c), extract(year FROM ntz), extract(year FROM i), extract(month FROM c), extract(month FROM i), extract(day FROM j), extract(hour FROM j), extract(minute FROM j) FROM extract_src;
SELECT extract(second FROM c), extract(second FROM ntz), extract(second FROM j), typeof(extract(second FROM c)) FROM extract_src;
SELECT date_part('dow_iso', c), date_part('yrs', ntz), date_part('doy', c), date_part('w', c), extract(dayofweek FROM c), extract(quarter FROM c), datepart('mon', ntz), date_part('yearofweek', c) FROM extract_src;
SELECT date_part('not_supported', c) FROM extract_src;
SELECT extract(SECOND FROM timestamp'2019-10-01 00:00:01.000001'), date_part('seconds', timestamp_ntz'2019-10-01 00:00:01.5'), extract(days FROM interval 5 days 3 hours 7 minutes), extract(MINUTE FROM INTERVAL '123 23:55:59.002001' DAY TO SECOND);
SELECT extract(DAYOFWEEK_ISO FROM DATE'2024-07-14'), extract(dow_iso FROM DATE'2024-07-14'), extract(yearofweek FROM DATE'2024-12-30'), extract(yrs FROM DATE'2024-12-30');
