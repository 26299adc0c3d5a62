-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: tan
SELECT tan(0);

-- function: tanh
SELECT tanh(0);

-- function: theta_difference
SELECT theta_sketch_estimate(theta_difference(theta_sketch_agg(col1), theta_sketch_agg(col2))) FROM VALUES (5, 4), (1, 4), (2, 5), (2, 5), (3, 1) tab(col1, col2);

-- function: theta_intersection
SELECT theta_sketch_estimate(theta_intersection(theta_sketch_agg(col1), theta_sketch_agg(col2))) FROM VALUES (5, 4), (1, 4), (2, 5), (2, 5), (3, 1) tab(col1, col2);

-- function: theta_intersection_agg
SELECT theta_sketch_estimate(theta_intersection_agg(sketch)) FROM (SELECT theta_sketch_agg(col) as sketch FROM VALUES (1) tab(col) UNION ALL SELECT theta_sketch_agg(col, 20) as sketch FROM VALUES (1) tab(col));

-- function: theta_intersection_agg
SELECT theta_sketch_estimate(theta_intersection_agg(sketch)) FROM VALUES (CAST(NULL AS BINARY)) tab(sketch);

-- function: theta_sketch_agg
SELECT theta_sketch_estimate(theta_sketch_agg(col, 12)) FROM VALUES (1), (1), (2), (2), (3) tab(col);

-- function: theta_sketch_estimate
SELECT theta_sketch_estimate(theta_sketch_agg(col)) FROM VALUES (1), (1), (2), (2), (3) tab(col);

-- function: theta_union
SELECT theta_sketch_estimate(theta_union(theta_sketch_agg(col1), theta_sketch_agg(col2))) FROM VALUES (1, 4), (1, 4), (2, 5), (2, 5), (3, 6) tab(col1, col2);

-- function: theta_union_agg
SELECT theta_sketch_estimate(theta_union_agg(sketch)) FROM (SELECT theta_sketch_agg(col) as sketch FROM VALUES (1) tab(col) UNION ALL SELECT theta_sketch_agg(col, 20) as sketch FROM VALUES (1) tab(col));

-- function: time_bucket
SELECT time_bucket(INTERVAL '15' MINUTE, TIMESTAMP '2024-01-01 11:27:00', TIMESTAMP '1970-01-01 00:00:00');

-- function: time_bucket
SELECT time_bucket(INTERVAL '1' HOUR, TIMESTAMP '2024-01-01 11:27:00');

-- function: time_bucket
SELECT time_bucket(INTERVAL '1' MONTH, TIMESTAMP '2024-07-20 14:30:00', TIMESTAMP '2024-06-15 09:00:00');

-- function: time_diff
SELECT time_diff('HOUR', TIME'20:30:29', TIME'21:30:28');

-- function: time_diff
SELECT time_diff('HOUR', TIME'20:30:29', TIME'21:30:29');

-- function: time_diff
SELECT time_diff('HOUR', TIME'20:30:29', TIME'12:00:00');

-- function: time_from_micros
SELECT time_from_micros(0);

-- function: time_from_micros
SELECT time_from_micros(52200000000);

-- function: time_from_micros
SELECT time_from_micros(52200500000);

-- function: time_from_micros
SELECT time_from_micros(86399999999);

-- function: time_from_millis
SELECT time_from_millis(0);

-- function: time_from_millis
SELECT time_from_millis(52200000);

-- function: time_from_millis
SELECT time_from_millis(52200500);

-- function: time_from_millis
SELECT time_from_millis(86399999);

-- function: time_from_seconds
SELECT time_from_seconds(0);

-- function: time_from_seconds
SELECT time_from_seconds(52200);

-- function: time_from_seconds
SELECT time_from_seconds(52200.5);

-- function: time_from_seconds
SELECT time_from_seconds(86399.999999);

-- function: time_to_micros
SELECT time_to_micros(TIME'00:00:00');

-- function: time_to_micros
SELECT time_to_micros(TIME'14:30:00');

-- function: time_to_micros
SELECT time_to_micros(TIME'14:30:00.5');

-- function: time_to_micros
SELECT time_to_micros(TIME'23:59:59.999999');

-- function: time_to_millis
SELECT time_to_millis(TIME'00:00:00');

-- function: time_to_millis
SELECT time_to_millis(TIME'14:30:00');

-- function: time_to_millis
SELECT time_to_millis(TIME'14:30:00.5');

-- function: time_to_millis
SELECT time_to_millis(TIME'23:59:59.999');

-- function: time_to_seconds
SELECT time_to_seconds(TIME'00:00:00');

-- function: time_to_seconds
SELECT time_to_seconds(TIME'14:30:00');

-- function: time_to_seconds
SELECT time_to_seconds(TIME'14:30:00.5');

-- function: time_to_seconds
SELECT time_to_seconds(TIME'23:59:59.999999');

-- function: time_trunc
SELECT time_trunc('HOUR', TIME'09:32:05.359');

-- function: time_trunc
SELECT time_trunc('MILLISECOND', TIME'09:32:05.123456');

-- function: timestamp_micros
SELECT timestamp_micros(1230219000123123);

-- function: timestamp_millis
SELECT timestamp_millis(1230219000123);

-- function: timestamp_nanos
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: timestamp_nanos
SELECT timestamp_nanos(1230219000123456789);

-- function: timestamp_seconds
SELECT timestamp_seconds(1230219000);

-- function: timestamp_seconds
SELECT timestamp_seconds(1230219000.123);

-- function: to_avro
SELECT to_avro(s, '{"type": "record", "name": "struct", "fields": [{ "name": "u", "type": ["int","string"] }]}') IS NULL FROM (SELECT NULL AS s);

-- function: to_avro
SELECT to_avro(s) IS NULL FROM (SELECT NULL AS s);

-- function: to_base32
SELECT to_base32('foobar');

-- function: to_base32
SELECT to_base32(x'666f6f626172');

-- function: to_binary
SELECT to_binary('abc', 'utf-8');

-- function: to_char
SELECT to_char(454, '999');

-- function: to_char
SELECT to_char(454.00, '000D00');

-- function: to_char
SELECT to_char(12454, '99G999');

-- function: to_char
SELECT to_char(78.12, '$99.99');

-- function: to_char
SELECT to_char(-12454.8, '99G999D9S');

-- function: to_char
SELECT to_char(date'2016-04-08', 'y');

-- function: to_char
SELECT to_char(x'537061726b2053514c', 'base64');

-- function: to_char
SELECT to_char(x'537061726b2053514c', 'hex');

-- function: to_char
SELECT to_char(encode('abc', 'utf-8'), 'utf-8');

-- function: to_csv
SELECT to_csv(named_struct('a', 1, 'b', 2));

-- function: to_csv
SELECT to_csv(named_struct('time', to_timestamp('2015-08-26', 'yyyy-MM-dd')), map('timestampFormat', 'dd/MM/yyyy'));

-- function: to_date
SELECT to_date('2009-07-30 04:17:52');

-- function: to_date
SELECT to_date('2016-12-31', 'yyyy-MM-dd');

-- function: to_json
SELECT to_json(named_struct('a', 1, 'b', 2));

-- function: to_json
SELECT to_json(named_struct('time', to_timestamp('2015-08-26', 'yyyy-MM-dd')), map('timestampFormat', 'dd/MM/yyyy'));

-- function: to_json
SELECT to_json(array(named_struct('a', 1, 'b', 2)));

-- function: to_json
SELECT to_json(map('a', named_struct('b', 1)));

-- function: to_json
SELECT to_json(map(named_struct('a', 1),named_struct('b', 2)));

-- function: to_json
SELECT to_json(map('a', 1));

-- function: to_json
SELECT to_json(array(map('a', 1)));

-- function: to_json
SELECT to_json(named_struct('b', 1, 'a', 2), map('sortKeys', 'true'));

-- function: to_number
SELECT to_number('454', '999');

-- function: to_number
SELECT to_number('454.00', '000.00');

-- function: to_number
SELECT to_number('12,454', '99,999');

-- function: to_number
SELECT to_number('$78.12', '$99.99');

-- function: to_number
SELECT to_number('12,454.8-', '99,999.9S');

-- function: to_protobuf
SELECT to_protobuf(s, 'Person', '/path/to/descriptor.desc', map('emitDefaultValues', 'true')) IS NULL FROM (SELECT NULL AS s);

-- function: to_time
SELECT to_time('00:12:00');

-- function: to_time
SELECT to_time('12.10.05', 'HH.mm.ss');

-- function: to_timestamp
SELECT to_timestamp('2016-12-31 00:12:00');

-- function: to_timestamp
SELECT to_timestamp('2016-12-31', 'yyyy-MM-dd');

-- function: to_timestamp_ltz
SELECT to_timestamp_ltz('2016-12-31 00:12:00');

-- function: to_timestamp_ltz
SELECT to_timestamp_ltz('2016-12-31', 'yyyy-MM-dd');

-- function: to_timestamp_ntz
SELECT to_timestamp_ntz('2016-12-31 00:12:00');

-- function: to_timestamp_ntz
SELECT to_timestamp_ntz('2016-12-31', 'yyyy-MM-dd');

-- function: to_unix_timestamp
SELECT to_unix_timestamp('2016-04-08', 'yyyy-MM-dd');

-- function: to_utc_timestamp
SELECT to_utc_timestamp('2016-08-31', 'Asia/Seoul');

-- function: to_varchar
SELECT to_varchar(454, '999');

-- function: to_varchar
SELECT to_varchar(454.00, '000D00');

-- function: to_varchar
SELECT to_varchar(12454, '99G999');

-- function: to_varchar
SELECT to_varchar(78.12, '$99.99');

-- function: to_varchar
SELECT to_varchar(-12454.8, '99G999D9S');

-- function: to_varchar
SELECT to_varchar(date'2016-04-08', 'y');

-- function: to_varchar
SELECT to_varchar(x'537061726b2053514c', 'base64');

-- function: to_varchar
SELECT to_varchar(x'537061726b2053514c', 'hex');

-- function: to_varchar
SELECT to_varchar(encode('abc', 'utf-8'), 'utf-8');

-- function: to_variant_object
SELECT to_variant_object(named_struct('a', 1, 'b', 2));

-- function: to_variant_object
SELECT to_variant_object(array(1, 2, 3));

-- function: to_variant_object
SELECT to_variant_object(array(named_struct('a', 1)));

-- function: to_variant_object
SELECT to_variant_object(array(map("a", 2)));

-- function: to_xml
SELECT to_xml(named_struct('a', 1, 'b', 2));

-- function: to_xml
SELECT to_xml(named_struct('time', to_timestamp('2015-08-26', 'yyyy-MM-dd')), map('timestampFormat', 'dd/MM/yyyy'));

-- function: transform
SELECT transform(array(1, 2, 3), x -> x + 1);

-- function: transform
SELECT transform(array(1, 2, 3), (x, i) -> x + i);

-- function: transform_keys
SELECT transform_keys(map_from_arrays(array(1, 2, 3), array(1, 2, 3)), (k, v) -> k + 1);

-- function: transform_keys
SELECT transform_keys(map_from_arrays(array(1, 2, 3), array(1, 2, 3)), (k, v) -> k + v);

-- function: transform_values
SELECT transform_values(map_from_arrays(array(1, 2, 3), array(1, 2, 3)), (k, v) -> v + 1);

-- function: transform_values
SELECT transform_values(map_from_arrays(array(1, 2, 3), array(1, 2, 3)), (k, v) -> k + v);

-- function: translate
SELECT translate('AaBbCc', 'abc', '123');

-- function: trim
SELECT trim('    SparkSQL   ');

-- function: trim
SELECT trim(BOTH FROM '    SparkSQL   ');

-- function: trim
SELECT trim(LEADING FROM '    SparkSQL   ');

-- function: trim
SELECT trim(TRAILING FROM '    SparkSQL   ');

-- function: trim
SELECT trim('SL' FROM 'SSparkSQLS');

-- function: trim
SELECT trim(BOTH 'SL' FROM 'SSparkSQLS');

-- function: trim
SELECT trim(LEADING 'SL' FROM 'SSparkSQLS');

-- function: trim
SELECT trim(TRAILING 'SL' FROM 'SSparkSQLS');

-- function: trunc
SELECT trunc('2019-08-04', 'week');

-- function: trunc
SELECT trunc('2019-08-04', 'quarter');

-- function: trunc
SELECT trunc('2009-02-12', 'MM');

-- function: trunc
SELECT trunc('2015-10-27', 'YEAR');

-- function: try_add
SELECT try_add(1, 2);

-- function: try_add
SELECT try_add(2147483647, 1);

-- function: try_add
SELECT try_add(date'2021-01-01', 1);

-- function: try_add
SELECT try_add(date'2021-01-01', interval 1 year);

-- function: try_add
SELECT try_add(timestamp'2021-01-01 00:00:00', interval 1 day);

-- function: try_add
SELECT try_add(time'09:00:00', interval 1 hour);

-- function: try_add
SELECT try_add(time'23:00:00', interval 2 hour);

-- function: try_add
SELECT try_add(interval 1 year, interval 2 year);

-- function: try_avg
SELECT try_avg(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: try_avg
SELECT try_avg(col) FROM VALUES (1), (2), (NULL) AS tab(col);

-- function: try_avg
SELECT try_avg(col) FROM VALUES (interval '2147483647 months'), (interval '1 months') AS tab(col);

-- function: try_divide
SELECT try_divide(3, 2);

-- function: try_divide
SELECT try_divide(2L, 2L);

-- function: try_divide
SELECT try_divide(1, 0);

-- function: try_divide
SELECT try_divide(interval 2 month, 2);

-- function: try_divide
SELECT try_divide(interval 2 month, 0);

-- function: try_element_at
SELECT try_element_at(array(1, 2, 3), 2);

-- function: try_element_at
SELECT try_element_at(map(1, 'a', 2, 'b'), 2);

-- function: try_make_interval
SELECT try_make_interval(100, 11, 1, 1, 12, 30, 01.001001);

-- function: try_make_interval
SELECT try_make_interval(100, null, 3);

-- function: try_make_interval
SELECT try_make_interval(0, 1, 0, 1, 0, 0, 100.000001);

-- function: try_make_interval
SELECT try_make_interval(2147483647);

-- function: try_make_timestamp
SELECT try_make_timestamp(2014, 12, 28, 6, 30, 45.887);

-- function: try_make_timestamp
SELECT try_make_timestamp(2014, 12, 28, 6, 30, 45.887, 'CET');

-- function: try_make_timestamp
SELECT try_make_timestamp(DATE'2014-12-28');

-- function: try_make_timestamp
SELECT try_make_timestamp(DATE'2014-12-28', TIME'6:30:45.887');

-- function: try_make_timestamp
SELECT try_make_timestamp(DATE'2014-12-28', TIME'6:30:45.887', 'CET');

-- function: try_make_timestamp
SELECT try_make_timestamp(2019, 6, 30, 23, 59, 60);

-- function: try_make_timestamp
SELECT try_make_timestamp(2019, 6, 30, 23, 59, 1);

-- function: try_make_timestamp
SELECT try_make_timestamp(null, 7, 22, 15, 30, 0);

-- function: try_make_timestamp
SELECT try_make_timestamp(2024, 13, 22, 15, 30, 0);

-- function: try_make_timestamp_ltz
SELECT try_make_timestamp_ltz(2014, 12, 28, 6, 30, 45.887);

-- function: try_make_timestamp_ltz
SELECT try_make_timestamp_ltz(2014, 12, 28, 6, 30, 45.887, 'CET');

-- function: try_make_timestamp_ltz
SELECT try_make_timestamp_ltz(2019, 6, 30, 23, 59, 60);

-- function: try_make_timestamp_ltz
SELECT try_make_timestamp_ltz(null, 7, 22, 15, 30, 0);

-- function: try_make_timestamp_ltz
SELECT try_make_timestamp_ltz(2024, 13, 22, 15, 30, 0);

-- function: try_make_timestamp_ltz
SELECT try_make_timestamp_ltz(DATE'2014-12-28', TIME'6:30:45.887');

-- function: try_make_timestamp_ltz
SELECT try_make_timestamp_ltz(DATE'2014-12-28', TIME'6:30:45.887', 'CET');

-- function: try_make_timestamp_ntz
SELECT try_make_timestamp_ntz(2014, 12, 28, 6, 30, 45.887);

-- function: try_make_timestamp_ntz
SELECT try_make_timestamp_ntz(2019, 6, 30, 23, 59, 60);

-- function: try_make_timestamp_ntz
SELECT try_make_timestamp_ntz(null, 7, 22, 15, 30, 0);

-- function: try_make_timestamp_ntz
SELECT try_make_timestamp_ntz(2024, 13, 22, 15, 30, 0);

-- function: try_make_timestamp_ntz
SELECT try_make_timestamp_ntz(DATE'2014-12-28', TIME'6:30:45.887');

-- function: try_mod
SELECT try_mod(3, 2);

-- function: try_mod
SELECT try_mod(2L, 2L);

-- function: try_mod
SELECT try_mod(3.0, 2.0);

-- function: try_mod
SELECT try_mod(1, 0);

-- function: try_multiply
SELECT try_multiply(2, 3);

-- function: try_multiply
SELECT try_multiply(-2147483648, 10);

-- function: try_multiply
SELECT try_multiply(interval 2 year, 3);

-- function: try_parse_json
SELECT try_parse_json('{"a":1,"b":0.8}');

-- function: try_parse_json
SELECT try_parse_json('{"a":1,');

-- function: try_parse_url
SELECT try_parse_url('http://spark.apache.org/path?query=1', 'HOST');

-- function: try_parse_url
SELECT try_parse_url('http://spark.apache.org/path?query=1', 'QUERY');

-- function: try_parse_url
SELECT try_parse_url('inva lid://spark.apache.org/path?query=1', 'QUERY');

-- function: try_parse_url
SELECT try_parse_url('http://spark.apache.org/path?query=1', 'QUERY', 'query');

-- function: try_subtract
SELECT try_subtract(2, 1);

-- function: try_subtract
SELECT try_subtract(-2147483648, 1);

-- function: try_subtract
SELECT try_subtract(date'2021-01-02', 1);

-- function: try_subtract
SELECT try_subtract(date'2021-01-01', interval 1 year);

-- function: try_subtract
SELECT try_subtract(timestamp'2021-01-02 00:00:00', interval 1 day);

-- function: try_subtract
SELECT try_subtract(time'09:00:00', interval 1 hour);

-- function: try_subtract
SELECT try_subtract(time'00:30:00', interval 1 hour);

-- function: try_subtract
SELECT try_subtract(interval 2 year, interval 1 year);

-- function: try_sum
SELECT try_sum(col) FROM VALUES (5), (10), (15) AS tab(col);

-- function: try_sum
SELECT try_sum(col) FROM VALUES (NULL), (10), (15) AS tab(col);

-- function: try_sum
SELECT try_sum(col) FROM VALUES (NULL), (NULL) AS tab(col);

-- function: try_sum
SELECT try_sum(col) FROM VALUES (9223372036854775807L), (1L) AS tab(col);

-- function: try_to_binary
SELECT try_to_binary('abc', 'utf-8');

-- function: try_to_binary
select try_to_binary('a!', 'base64');

-- function: try_to_binary
select try_to_binary('abc', 'invalidFormat');

-- function: try_to_date
SELECT try_to_date('2016-12-31');

-- function: try_to_date
SELECT try_to_date('2016-12-31', 'yyyy-MM-dd');

-- function: try_to_date
SELECT try_to_date('foo', 'yyyy-MM-dd');

-- function: try_to_number
SELECT try_to_number('454', '999');

-- function: try_to_number
SELECT try_to_number('454.00', '000.00');

-- function: try_to_number
SELECT try_to_number('12,454', '99,999');

-- function: try_to_number
SELECT try_to_number('$78.12', '$99.99');

-- function: try_to_number
SELECT try_to_number('12,454.8-', '99,999.9S');

-- function: try_to_time
SELECT try_to_time('00:12:00.001');

-- function: try_to_time
SELECT try_to_time('12.10.05.999999', 'HH.mm.ss.SSSSSS');

-- function: try_to_time
SELECT try_to_time('foo', 'HH:mm:ss');

-- function: try_to_timestamp
SELECT try_to_timestamp('2016-12-31 00:12:00');

-- function: try_to_timestamp
SELECT try_to_timestamp('2016-12-31', 'yyyy-MM-dd');

-- function: try_to_timestamp
SELECT try_to_timestamp('foo', 'yyyy-MM-dd');

-- function: try_url_decode
SELECT try_url_decode('https%3A%2F%2Fspark.apache.org');

-- function: try_validate_utf8
SELECT try_validate_utf8('Spark');

-- function: try_validate_utf8
SELECT try_validate_utf8(x'61');

-- function: try_validate_utf8
SELECT try_validate_utf8(x'80');

-- function: try_validate_utf8
SELECT try_validate_utf8(x'61C262');

-- function: try_variant_array_append
SELECT try_variant_array_append(parse_json('[1, 2, 3]'), '$', 4);

-- function: try_variant_array_append
SELECT try_variant_array_append(parse_json('{"a": [1, 2]}'), '$.a', 3);

-- function: try_variant_array_append
SELECT try_variant_array_append(parse_json('[1]'), '$', parse_json('[2, 3]'));

-- function: try_variant_array_append
SELECT try_variant_array_append(parse_json('{"a": 1}'), '$.missing', 2);

-- function: try_variant_array_append
SELECT try_variant_array_append(parse_json('{"a": 1}'), '$.a', 2);

-- function: try_variant_array_append
SELECT try_variant_array_append(parse_json('[1, 2]'), '$', null);

-- function: try_variant_get
SELECT try_variant_get(parse_json('{"a": 1}'), '$.a', 'int');

-- function: try_variant_get
SELECT try_variant_get(parse_json('{"a": 1}'), '$.b', 'int');

-- function: try_variant_get
SELECT try_variant_get(parse_json('[1, "2"]'), '$[1]', 'string');

-- function: try_variant_get
SELECT try_variant_get(parse_json('[1, "2"]'), '$[2]', 'string');

-- function: try_variant_get
SELECT try_variant_get(parse_json('[1, "hello"]'), '$[1]');

-- function: try_variant_get
SELECT try_variant_get(parse_json('[1, "hello"]'), '$[1]', 'int');

-- function: try_variant_insert
SELECT try_variant_insert(parse_json('{"a": 1}'), '$.b', 2);

-- function: try_variant_insert
SELECT try_variant_insert(parse_json('{}'), '$.a.b', 1);

-- function: try_variant_insert
SELECT try_variant_insert(parse_json('["a","b","c"]'), '$[1]', 'z');

-- function: try_variant_insert
SELECT try_variant_insert(parse_json('["a","b"]'), '$[5]', 'z');

-- function: try_variant_insert
SELECT try_variant_insert(parse_json('{"a": 1}'), '$.a', 2);

-- function: try_variant_insert
SELECT try_variant_insert(parse_json('{"a": 1}'), '$.a.b', 2);

-- function: try_variant_insert
SELECT try_variant_insert(parse_json('{}'), '$.a', null);

-- function: try_variant_set
SELECT try_variant_set(parse_json('{"a": 1}'), '$.a', 2);

-- function: try_variant_set
SELECT try_variant_set(parse_json('{"a": 1}'), '$.b', 3);

-- function: try_variant_set
SELECT try_variant_set(parse_json('{"a": {"b": 1}}'), '$.a.c.d', 2);

-- function: try_variant_set
SELECT try_variant_set(parse_json('["a","b","c"]'), '$[1]', 'z');

-- function: try_variant_set
SELECT try_variant_set(parse_json('["a","b","c"]'), '$[5]', 'z');

-- function: try_variant_set
SELECT try_variant_set(parse_json('{"a": 1}'), '$.b', 2, false);

-- function: try_variant_set
SELECT try_variant_set(parse_json('{"a": 1}'), '$.a.b', 2);

-- function: try_variant_set
SELECT try_variant_set(parse_json('{"a": 1}'), '$.a', null);

-- function: tuple_difference_double
SELECT tuple_sketch_estimate_double(tuple_difference_double(tuple_sketch_agg_double(col1, val1), tuple_sketch_agg_double(col2, val2))) FROM VALUES (5, 5.0D, 4, 4.0D), (1, 1.0D, 4, 4.0D), (2, 2.0D, 5, 5.0D), (3, 3.0D, 1, 1.0D) tab(col1, val1, col2, val2);

-- function: tuple_difference_integer
SELECT tuple_sketch_estimate_integer(tuple_difference_integer(tuple_sketch_agg_integer(col1, val1), tuple_sketch_agg_integer(col2, val2))) FROM VALUES (5, 5, 4, 4), (1, 1, 4, 4), (2, 2, 5, 5), (3, 3, 1, 1) tab(col1, val1, col2, val2);

-- function: tuple_difference_theta_double
SELECT tuple_sketch_estimate_double(tuple_difference_theta_double(tuple_sketch_agg_double(col1, val1), theta_sketch_agg(col2))) FROM VALUES (5, 5.0D, 4), (1, 1.0D, 4), (2, 2.0D, 5), (3, 3.0D, 1) tab(col1, val1, col2);

-- function: tuple_difference_theta_integer
SELECT tuple_sketch_estimate_integer(tuple_difference_theta_integer(tuple_sketch_agg_integer(col1, val1), theta_sketch_agg(col2))) FROM VALUES (5, 5, 4), (1, 1, 4), (2, 2, 5), (3, 3, 1) tab(col1, val1, col2);

-- function: tuple_intersection_agg_double
SELECT tuple_sketch_estimate_double(tuple_intersection_agg_double(sketch)) FROM (SELECT tuple_sketch_agg_double(key, summary) as sketch FROM VALUES (1, 5.0D), (2, 10.0D), (3, 15.0D) tab(key, summary) UNION ALL SELECT tuple_sketch_agg_double(key, summary) as sketch FROM VALUES (2, 3.0D), (3, 7.0D), (4, 12.0D) tab(key, summary));

-- function: tuple_intersection_agg_double
SELECT tuple_sketch_estimate_double(tuple_intersection_agg_double(sketch)) FROM VALUES (CAST(NULL AS BINARY)) tab(sketch);

-- function: tuple_intersection_agg_integer
SELECT tuple_sketch_estimate_integer(tuple_intersection_agg_integer(sketch)) FROM (SELECT tuple_sketch_agg_integer(key, summary) as sketch FROM VALUES (1, 1), (2, 2), (3, 3) tab(key, summary) UNION ALL SELECT tuple_sketch_agg_integer(key, summary) as sketch FROM VALUES (2, 2), (3, 3), (4, 4) tab(key, summary));

-- function: tuple_intersection_agg_integer
SELECT tuple_sketch_estimate_integer(tuple_intersection_agg_integer(sketch)) FROM VALUES (CAST(NULL AS BINARY)) tab(sketch);

-- function: tuple_intersection_double
SELECT tuple_sketch_estimate_double(tuple_intersection_double(tuple_sketch_agg_double(col1, val1), tuple_sketch_agg_double(col2, val2))) FROM VALUES (1, 1.0D, 1, 4.0D), (2, 2.0D, 2, 5.0D), (3, 3.0D, 4, 6.0D) tab(col1, val1, col2, val2);

-- function: tuple_intersection_integer
SELECT tuple_sketch_estimate_integer(tuple_intersection_integer(tuple_sketch_agg_integer(col1, val1), tuple_sketch_agg_integer(col2, val2))) FROM VALUES (1, 1, 1, 4), (2, 2, 2, 5), (3, 3, 4, 6) tab(col1, val1, col2, val2);

-- function: tuple_intersection_theta_double
SELECT tuple_sketch_estimate_double(tuple_intersection_theta_double(tuple_sketch_agg_double(col1, val1), theta_sketch_agg(col2))) FROM VALUES (1, 1.0D, 1), (2, 2.0D, 2), (3, 3.0D, 4) tab(col1, val1, col2);

-- function: tuple_intersection_theta_integer
SELECT tuple_sketch_estimate_integer(tuple_intersection_theta_integer(tuple_sketch_agg_integer(col1, val1), theta_sketch_agg(col2))) FROM VALUES (1, 1, 1), (2, 2, 2), (3, 3, 4) tab(col1, val1, col2);

-- function: tuple_sketch_agg_double
SELECT tuple_sketch_estimate_double(tuple_sketch_agg_double(key, summary, 12, 'sum')) FROM VALUES (1, 5.0D), (1, 1.0D), (2, 2.0D), (2, 3.0D), (3, 2.2D) tab(key, summary);

-- function: tuple_sketch_agg_integer
SELECT tuple_sketch_estimate_integer(tuple_sketch_agg_integer(key, summary, 12, 'sum')) FROM VALUES (1, 5), (1, 1), (2, 2), (2, 3), (3, 2) tab(key, summary);

-- function: tuple_sketch_estimate_double
SELECT tuple_sketch_estimate_double(tuple_sketch_agg_double(key, summary)) FROM VALUES (1, 1.0D), (1, 2.0D), (2, 3.0D) tab(key, summary);

-- function: tuple_sketch_estimate_integer
SELECT tuple_sketch_estimate_integer(tuple_sketch_agg_integer(key, summary)) FROM VALUES (1, 1), (1, 2), (2, 3) tab(key, summary);

-- function: tuple_sketch_summary_double
SELECT tuple_sketch_summary_double(tuple_sketch_agg_double(key, summary)) FROM VALUES (1, 1.0D), (1, 2.0D), (2, 3.0D) tab(key, summary);

-- function: tuple_sketch_summary_integer
SELECT tuple_sketch_summary_integer(tuple_sketch_agg_integer(key, summary)) FROM VALUES (1, 1), (1, 2), (2, 3) tab(key, summary);

-- function: tuple_sketch_theta_double
SELECT tuple_sketch_theta_double(tuple_sketch_agg_double(key, summary)) FROM VALUES (1, 1.0D), (2, 2.0D), (3, 3.0D) tab(key, summary);

-- function: tuple_sketch_theta_integer
SELECT tuple_sketch_theta_integer(tuple_sketch_agg_integer(key, summary)) FROM VALUES (1, 1), (2, 2), (3, 3) tab(key, summary);

-- function: tuple_union_agg_double
SELECT tuple_sketch_estimate_double(tuple_union_agg_double(sketch)) FROM (SELECT tuple_sketch_agg_double(key, summary) as sketch FROM VALUES (1, 5.0D), (2, 10.0D) tab(key, summary) UNION ALL SELECT tuple_sketch_agg_double(key, summary) as sketch FROM VALUES (2, 3.0D), (3, 7.0D) tab(key, summary));

-- function: tuple_union_agg_integer
SELECT tuple_sketch_estimate_integer(tuple_union_agg_integer(sketch)) FROM (SELECT tuple_sketch_agg_integer(key, summary) as sketch FROM VALUES (1, 5), (2, 10) tab(key, summary) UNION ALL SELECT tuple_sketch_agg_integer(key, summary) as sketch FROM VALUES (2, 3), (3, 7) tab(key, summary));

-- function: tuple_union_double
SELECT tuple_sketch_estimate_double(tuple_union_double(tuple_sketch_agg_double(col1, val1), tuple_sketch_agg_double(col2, val2))) FROM VALUES (1, 1.0D, 4, 4.0D), (2, 2.0D, 5, 5.0D), (3, 3.0D, 6, 6.0D) tab(col1, val1, col2, val2);

-- function: tuple_union_integer
SELECT tuple_sketch_estimate_integer(tuple_union_integer(tuple_sketch_agg_integer(col1, val1), tuple_sketch_agg_integer(col2, val2))) FROM VALUES (1, 1, 4, 4), (2, 2, 5, 5), (3, 3, 6, 6) tab(col1, val1, col2, val2);

-- function: tuple_union_theta_double
SELECT tuple_sketch_estimate_double(tuple_union_theta_double(tuple_sketch_agg_double(col1, val1), theta_sketch_agg(col2))) FROM VALUES (1, 1.0D, 4), (2, 2.0D, 5), (3, 3.0D, 6) tab(col1, val1, col2);

-- function: tuple_union_theta_integer
SELECT tuple_sketch_estimate_integer(tuple_union_theta_integer(tuple_sketch_agg_integer(col1, val1), theta_sketch_agg(col2))) FROM VALUES (1, 1, 4), (2, 2, 5), (3, 3, 6) tab(col1, val1, col2);

-- function: typeof
SELECT typeof(1);

-- function: typeof
SELECT typeof(array(1));

