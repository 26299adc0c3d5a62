-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: ucase
SELECT ucase('SparkSql');

-- function: unbase64
SELECT unbase64('U3BhcmsgU1FM');

-- function: unhex
SELECT decode(unhex('537061726B2053514C'), 'UTF-8');

-- function: unix_date
SELECT unix_date(DATE("1970-01-02"));

-- function: unix_micros
SELECT unix_micros(TIMESTAMP('1970-01-01 00:00:01Z'));

-- function: unix_micros
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: unix_micros
SELECT unix_micros(TIMESTAMP_NTZ '2008-12-25 15:30:00.123456789');

-- function: unix_millis
SELECT unix_millis(TIMESTAMP('1970-01-01 00:00:01Z'));

-- function: unix_millis
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: unix_millis
SELECT unix_millis(TIMESTAMP_NTZ '2008-12-25 15:30:00.123456789');

-- function: unix_nanos
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: unix_nanos
SELECT unix_nanos(TIMESTAMP_NTZ '2008-12-25 15:30:00.123456789');

-- function: unix_seconds
SELECT unix_seconds(TIMESTAMP('1970-01-01 00:00:01Z'));

-- function: unix_seconds
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: unix_seconds
SELECT unix_seconds(TIMESTAMP_NTZ '2008-12-25 15:30:00.123456789');

-- function: upper
SELECT upper('SparkSql');

-- function: url_decode
SELECT url_decode('https%3A%2F%2Fspark.apache.org');

-- function: url_encode
SELECT url_encode('https://spark.apache.org');

