-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: year
SELECT year('2016-07-30');

-- function: year
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: year
SELECT year(TIMESTAMP_NTZ '2016-07-30 12:00:00.123456789');

