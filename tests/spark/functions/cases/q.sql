-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: quarter
SELECT quarter('2016-08-31');

-- function: quarter
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: quarter
SELECT quarter(TIMESTAMP_NTZ '2016-08-31 12:00:00.123456789');

-- function: quote
SELECT quote('Don\'t');

