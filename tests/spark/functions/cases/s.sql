-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: schema_of_avro
SELECT schema_of_avro('{"type": "record", "name": "struct", "fields": [{"name": "u", "type": ["int", "string"]}]}', map());

-- function: schema_of_csv
SELECT schema_of_csv('1,abc');

-- function: schema_of_json
SELECT schema_of_json('[{"col":0}]');

-- function: schema_of_json
SELECT schema_of_json('[{"col":01}]', map('allowNumericLeadingZeros', 'true'));

-- function: schema_of_variant
SELECT schema_of_variant(parse_json('null'));

-- function: schema_of_variant
SELECT schema_of_variant(parse_json('[{"b":true,"a":0}]'));

-- function: schema_of_variant_agg
SELECT schema_of_variant_agg(parse_json(j)) FROM VALUES ('1'), ('2'), ('3') AS tab(j);

-- function: schema_of_variant_agg
SELECT schema_of_variant_agg(parse_json(j)) FROM VALUES ('{"a": 1}'), ('{"b": true}'), ('{"c": 1.23}') AS tab(j);

-- function: schema_of_xml
SELECT schema_of_xml('<p><a>1</a></p>');

-- function: schema_of_xml
SELECT schema_of_xml('<p><a attr="2">1</a><a>3</a></p>', map('excludeAttribute', 'true'));

-- function: sec
SELECT sec(0);

-- function: second
SELECT second('2018-02-14 12:58:59');

-- function: second
SELECT second(TIMESTAMP_NTZ '2018-02-14 12:58:59.123456789');

-- function: second
SELECT second(TIMESTAMP_LTZ '2018-02-14 12:58:59.123456789');

-- function: second
SELECT second(TIME'13:25:59.999999');

-- function: sentences
SELECT sentences('Hi there! Good morning.');

-- function: sentences
SELECT sentences('Hi there! Good morning.', 'en');

-- function: sentences
SELECT sentences('Hi there! Good morning.', 'en', 'US');

-- function: sequence
SELECT sequence(1, 5);

-- function: sequence
SELECT sequence(5, 1);

-- function: sequence
SELECT sequence(to_date('2018-01-01'), to_date('2018-03-01'), interval 1 month);

-- function: sequence
SELECT sequence(to_date('2018-01-01'), to_date('2018-03-01'), interval '0-1' year to month);

-- function: session_window
SELECT a, session_window.start, session_window.end, count(*) as cnt FROM VALUES ('A1', '2021-01-01 00:00:00'), ('A1', '2021-01-01 00:04:30'), ('A1', '2021-01-01 00:10:00'), ('A2', '2021-01-01 00:01:00') AS tab(a, b) GROUP by a, session_window(b, '5 minutes') ORDER BY a, start;

-- function: session_window
SELECT a, session_window.start, session_window.end, count(*) as cnt FROM VALUES ('A1', '2021-01-01 00:00:00'), ('A1', '2021-01-01 00:04:30'), ('A1', '2021-01-01 00:10:00'), ('A2', '2021-01-01 00:01:00'), ('A2', '2021-01-01 00:04:30') AS tab(a, b) GROUP by a, session_window(b, CASE WHEN a = 'A1' THEN '5 minutes' WHEN a = 'A2' THEN '1 minute' ELSE '10 minutes' END) ORDER BY a, start;

-- function: sha
SELECT sha('Spark');

-- function: sha1
SELECT sha1('Spark');

-- function: sha2
SELECT sha2('Spark', 256);

-- function: shiftleft
SELECT shiftleft(2, 1);

-- function: shiftleft
SELECT 2 << 1;

-- function: shiftright
SELECT shiftright(4, 1);

-- function: shiftright
SELECT 4 >> 1;

-- function: shiftrightunsigned
SELECT shiftrightunsigned(4, 1);

-- function: shiftrightunsigned
SELECT 4 >>> 1;

-- function: sign
SELECT sign(40);

-- function: sign
SELECT sign(INTERVAL -'100' YEAR);

-- function: signum
SELECT signum(40);

-- function: signum
SELECT signum(INTERVAL -'100' YEAR);

-- function: sin
SELECT sin(0);

-- function: sinh
SELECT sinh(0);

-- function: size
SELECT size(array('b', 'd', 'c', 'a'));

-- function: size
SELECT size(map('a', 1, 'b', 2));

-- function: skewness
SELECT skewness(col) FROM VALUES (-10), (-20), (100), (1000) AS tab(col);

-- function: skewness
SELECT skewness(col) FROM VALUES (-1000), (-100), (10), (20) AS tab(col);

-- function: slice
SELECT slice(array(1, 2, 3, 4), 2, 2);

-- function: slice
SELECT slice(array(1, 2, 3, 4), -2, 2);

-- function: some
SELECT some(col) FROM VALUES (true), (false), (false) AS tab(col);

-- function: some
SELECT some(col) FROM VALUES (NULL), (true), (false) AS tab(col);

-- function: some
SELECT some(col) FROM VALUES (false), (false), (NULL) AS tab(col);

-- function: sort_array
SELECT sort_array(array('b', 'd', null, 'c', 'a'), true);

-- function: sort_array
SELECT sort_array(array('b', 'd', null, 'c', 'a'), false);

-- function: soundex
SELECT soundex('Miller');

-- function: space
SELECT concat(space(2), '1');

-- function: split
SELECT split('oneAtwoBthreeC', '[ABC]');

-- function: split
SELECT split('oneAtwoBthreeC', '[ABC]', -1);

-- function: split
SELECT split('oneAtwoBthreeC', '[ABC]', 2);

-- function: split_part
SELECT split_part('11.12.13', '.', 3);

-- function: sql_keywords
SELECT * FROM sql_keywords() LIMIT 2;

-- function: sqrt
SELECT sqrt(4);

-- function: st_asbinary
SELECT hex(st_asbinary(st_geogfromwkb(X'0101000000000000000000F03F0000000000000040')));

-- function: st_asbinary
SELECT hex(st_asbinary(st_geomfromwkb(X'0101000000000000000000F03F0000000000000040'), 'XDR'));

-- function: st_geogfromwkb
SELECT hex(st_asbinary(st_geogfromwkb(X'0101000000000000000000F03F0000000000000040')));

-- function: st_geomfromwkb
SELECT hex(st_asbinary(st_geomfromwkb(X'0101000000000000000000F03F0000000000000040')));

-- function: st_geomfromwkb
SELECT st_srid(st_geomfromwkb(X'0101000000000000000000F03F0000000000000040'));

-- function: st_geomfromwkb
SELECT hex(st_asbinary(st_geomfromwkb(X'0101000000000000000000F03F0000000000000040', 4326)));

-- function: st_geomfromwkb
SELECT st_srid(st_geomfromwkb(X'0101000000000000000000F03F0000000000000040', 4326));

-- function: st_setsrid
SELECT st_srid(st_setsrid(ST_GeogFromWKB(X'0101000000000000000000F03F0000000000000040'), 4326));

-- function: st_setsrid
SELECT st_srid(st_setsrid(ST_GeomFromWKB(X'0101000000000000000000F03F0000000000000040'), 3857));

-- function: st_srid
SELECT st_srid(st_geogfromwkb(X'0101000000000000000000F03F0000000000000040'));

-- function: st_srid
SELECT st_srid(st_geomfromwkb(X'0101000000000000000000F03F0000000000000040'));

-- function: st_srid
SELECT st_srid(NULL);

-- function: stack
SELECT stack(2, 1, 2, 3);

-- function: startswith
SELECT startswith('Spark SQL', 'Spark');

-- function: startswith
SELECT startswith('Spark SQL', 'SQL');

-- function: startswith
SELECT startswith('Spark SQL', null);

-- function: startswith
SELECT startswith(x'537061726b2053514c', x'537061726b');

-- function: startswith
SELECT startswith(x'537061726b2053514c', x'53514c');

-- function: std
SELECT std(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: stddev
SELECT stddev(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: stddev_pop
SELECT stddev_pop(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: stddev_samp
SELECT stddev_samp(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: str_to_map
SELECT str_to_map('a:1,b:2,c:3', ',', ':');

-- function: str_to_map
SELECT str_to_map('a');

-- function: string_agg
SELECT string_agg(col) FROM VALUES ('a'), ('b'), ('c') AS tab(col);

-- function: string_agg
SELECT string_agg(col) WITHIN GROUP (ORDER BY col DESC) FROM VALUES ('a'), ('b'), ('c') AS tab(col);

-- function: string_agg
SELECT string_agg(col) FROM VALUES ('a'), (NULL), ('b') AS tab(col);

-- function: string_agg
SELECT string_agg(col) FROM VALUES ('a'), ('a') AS tab(col);

-- function: string_agg
SELECT string_agg(DISTINCT col) FROM VALUES ('a'), ('a'), ('b') AS tab(col);

-- function: string_agg
SELECT string_agg(col, ', ') FROM VALUES ('a'), ('b'), ('c') AS tab(col);

-- function: string_agg
SELECT string_agg(col) FROM VALUES (NULL), (NULL) AS tab(col);

-- function: struct
SELECT struct(1, 2, 3);

-- function: substr
SELECT substr('Spark SQL', 5);

-- function: substr
SELECT substr('Spark SQL', -3);

-- function: substr
SELECT substr('Spark SQL', 5, 1);

-- function: substr
SELECT substr('Spark SQL' FROM 5);

-- function: substr
SELECT substr('Spark SQL' FROM -3);

-- function: substr
SELECT substr('Spark SQL' FROM 5 FOR 1);

-- function: substr
SELECT substr(encode('Spark SQL', 'utf-8'), 5);

-- function: substring
SELECT substring('Spark SQL', 5);

-- function: substring
SELECT substring('Spark SQL', -3);

-- function: substring
SELECT substring('Spark SQL', 5, 1);

-- function: substring
SELECT substring('Spark SQL' FROM 5);

-- function: substring
SELECT substring('Spark SQL' FROM -3);

-- function: substring
SELECT substring('Spark SQL' FROM 5 FOR 1);

-- function: substring
SELECT substring(encode('Spark SQL', 'utf-8'), 5);

-- function: substring_index
SELECT substring_index('www.apache.org', '.', 2);

-- function: sum
SELECT sum(col) FROM VALUES (5), (10), (15) AS tab(col);

-- function: sum
SELECT sum(col) FROM VALUES (NULL), (10), (15) AS tab(col);

-- function: sum
SELECT sum(col) FROM VALUES (NULL), (NULL) AS tab(col);

