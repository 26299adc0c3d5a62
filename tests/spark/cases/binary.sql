-- Spark's BINARY type and to_binary/try_to_binary (sql-ref-datatypes, the functions' documentation).
SELECT CAST('Spark' AS BINARY), typeof(CAST('Spark' AS BINARY)), hex(CAST('abc' AS BINARY)), CAST(CAST('abc' AS BINARY) AS STRING);
SELECT to_binary('abc', 'utf-8'), to_binary('537061726B', 'hex'), to_binary('U3Bhcms=', 'base64'), to_binary('537061726B');
SELECT hex(to_binary('abc')), to_binary(NULL, 'hex'), to_binary('abc', NULL);
SELECT to_binary(' ab cd ', 'base64'), to_binary(' ab c=', 'base64'), to_binary('', 'base64');
SELECT to_binary('a', 'base64');
SELECT to_binary('abcd=', 'base64');
SELECT to_binary('GG', 'hex');
SELECT to_binary('abc', 'base32');
SELECT try_to_binary('a', 'base64'), try_to_binary('GG', 'hex'), try_to_binary('U3Bhcms=', 'BASE64');
