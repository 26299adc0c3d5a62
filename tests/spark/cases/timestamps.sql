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
