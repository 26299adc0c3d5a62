-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: base64
SELECT base64('Spark SQL');

-- function: base64
SELECT base64(x'537061726b2053514c');

-- function: between
SELECT 0.5 between 0.1 AND 1.0;

-- function: bin
SELECT bin(13);

-- function: bin
SELECT bin(-13);

-- function: bin
SELECT bin(13.3);

-- function: bit_and
SELECT bit_and(col) FROM VALUES (3), (5) AS tab(col);

-- function: bit_count
SELECT bit_count(0);

-- function: bit_get
SELECT bit_get(11, 0);

-- function: bit_get
SELECT bit_get(11, 2);

-- function: bit_length
SELECT bit_length('Spark SQL');

-- function: bit_length
SELECT bit_length(x'537061726b2053514c');

-- function: bit_or
SELECT bit_or(col) FROM VALUES (3), (5) AS tab(col);

-- function: bit_xor
SELECT bit_xor(col) FROM VALUES (3), (5) AS tab(col);

-- function: bitmap_and_agg
SELECT substring(hex(bitmap_and_agg(col)), 0, 6) FROM VALUES (X 'F0'), (X '70'), (X '30') AS tab(col);

-- function: bitmap_and_agg
SELECT substring(hex(bitmap_and_agg(col)), 0, 6) FROM VALUES (X 'FF'), (X 'FF'), (X 'FF') AS tab(col);

-- function: bitmap_bit_position
SELECT bitmap_bit_position(1);

-- function: bitmap_bit_position
SELECT bitmap_bit_position(123);

-- function: bitmap_bucket_number
SELECT bitmap_bucket_number(123);

-- function: bitmap_bucket_number
SELECT bitmap_bucket_number(0);

-- function: bitmap_construct_agg
SELECT substring(hex(bitmap_construct_agg(bitmap_bit_position(col))), 0, 6) FROM VALUES (1), (2), (3) AS tab(col);

-- function: bitmap_construct_agg
SELECT substring(hex(bitmap_construct_agg(bitmap_bit_position(col))), 0, 6) FROM VALUES (1), (1), (1) AS tab(col);

-- function: bitmap_count
SELECT bitmap_count(X '1010');

-- function: bitmap_count
SELECT bitmap_count(X 'FFFF');

-- function: bitmap_count
SELECT bitmap_count(X '0');

-- function: bitmap_or_agg
SELECT substring(hex(bitmap_or_agg(col)), 0, 6) FROM VALUES (X '10'), (X '20'), (X '40') AS tab(col);

-- function: bitmap_or_agg
SELECT substring(hex(bitmap_or_agg(col)), 0, 6) FROM VALUES (X '10'), (X '10'), (X '10') AS tab(col);

-- function: bool_and
SELECT bool_and(col) FROM VALUES (true), (true), (true) AS tab(col);

-- function: bool_and
SELECT bool_and(col) FROM VALUES (NULL), (true), (true) AS tab(col);

-- function: bool_and
SELECT bool_and(col) FROM VALUES (true), (false), (true) AS tab(col);

-- function: bool_or
SELECT bool_or(col) FROM VALUES (true), (false), (false) AS tab(col);

-- function: bool_or
SELECT bool_or(col) FROM VALUES (NULL), (true), (false) AS tab(col);

-- function: bool_or
SELECT bool_or(col) FROM VALUES (false), (false), (NULL) AS tab(col);

-- function: bround
SELECT bround(2.5, 0);

-- function: bround
SELECT bround(25, -1);

-- function: btrim
SELECT btrim('    SparkSQL   ');

-- function: btrim
SELECT btrim(encode('    SparkSQL   ', 'utf-8'));

-- function: btrim
SELECT btrim('SSparkSQLS', 'SL');

-- function: btrim
SELECT btrim(encode('SSparkSQLS', 'utf-8'), encode('SL', 'utf-8'));

