-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: octet_length
SELECT octet_length('Spark SQL');

-- function: octet_length
SELECT octet_length(x'537061726b2053514c');

-- function: or
SELECT true or false;

-- function: or
SELECT false or false;

-- function: or
SELECT true or NULL;

-- function: or
SELECT false or NULL;

-- function: overlay
SELECT overlay('Spark SQL' PLACING '_' FROM 6);

-- function: overlay
SELECT overlay('Spark SQL' PLACING 'CORE' FROM 7);

-- function: overlay
SELECT overlay('Spark SQL' PLACING 'ANSI ' FROM 7 FOR 0);

-- function: overlay
SELECT overlay('Spark SQL' PLACING 'tructured' FROM 2 FOR 4);

-- function: overlay
SELECT overlay(encode('Spark SQL', 'utf-8') PLACING encode('_', 'utf-8') FROM 6);

-- function: overlay
SELECT overlay(encode('Spark SQL', 'utf-8') PLACING encode('CORE', 'utf-8') FROM 7);

-- function: overlay
SELECT overlay(encode('Spark SQL', 'utf-8') PLACING encode('ANSI ', 'utf-8') FROM 7 FOR 0);

-- function: overlay
SELECT overlay(encode('Spark SQL', 'utf-8') PLACING encode('tructured', 'utf-8') FROM 2 FOR 4);

