-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: factorial
SELECT factorial(5);

-- function: filter
SELECT filter(array(1, 2, 3), x -> x % 2 == 1);

-- function: filter
SELECT filter(array(0, 2, 3), (x, i) -> x > i);

-- function: filter
SELECT filter(array(0, null, 2, 3, null), x -> x IS NOT NULL);

-- function: find_in_set
SELECT find_in_set('ab','abc,b,ab,c,def');

-- function: first
SELECT first(col) FROM VALUES (10), (5), (20) AS tab(col);

-- function: first
SELECT first(col) FROM VALUES (NULL), (5), (20) AS tab(col);

-- function: first
SELECT first(col, true) FROM VALUES (NULL), (5), (20) AS tab(col);

-- function: first_value
SELECT first_value(col) FROM VALUES (10), (5), (20) AS tab(col);

-- function: first_value
SELECT first_value(col) FROM VALUES (NULL), (5), (20) AS tab(col);

-- function: first_value
SELECT first_value(col, true) FROM VALUES (NULL), (5), (20) AS tab(col);

-- function: flatten
SELECT flatten(array(array(1, 2), array(3, 4)));

-- function: floor
SELECT floor(-0.1);

-- function: floor
SELECT floor(5);

-- function: floor
SELECT floor(3.1411, 3);

-- function: floor
SELECT floor(3.1411, -3);

-- function: forall
SELECT forall(array(1, 2, 3), x -> x % 2 == 0);

-- function: forall
SELECT forall(array(2, 4, 8), x -> x % 2 == 0);

-- function: forall
SELECT forall(array(1, null, 3), x -> x % 2 == 0);

-- function: forall
SELECT forall(array(2, null, 8), x -> x % 2 == 0);

-- function: format_number
SELECT format_number(12332.123456, 4);

-- function: format_number
SELECT format_number(12332.123456, '##################.###');

-- function: format_string
SELECT format_string("Hello World %d %s", 100, "days");

-- function: from_avro
SELECT from_avro(s, '{"type": "record", "name": "struct", "fields": [{ "name": "u", "type": ["int","string"] }]}', map()) IS NULL AS result FROM (SELECT NAMED_STRUCT('u', NAMED_STRUCT('member0', member0, 'member1', member1)) AS s FROM VALUES (1, NULL), (NULL,  'a') tab(member0, member1));

-- function: from_base32
SELECT from_base32('MZXW6YTBOI======');

-- function: from_csv
SELECT from_csv('1, 0.8', 'a INT, b DOUBLE');

-- function: from_csv
SELECT from_csv('26/08/2015', 'time Timestamp', map('timestampFormat', 'dd/MM/yyyy'));

-- function: from_json
SELECT from_json('{"a":1, "b":0.8}', 'a INT, b DOUBLE');

-- function: from_json
SELECT from_json('{"time":"26/08/2015"}', 'time Timestamp', map('timestampFormat', 'dd/MM/yyyy'));

-- function: from_json
SELECT from_json('{"teacher": "Alice", "student": [{"name": "Bob", "rank": 1}, {"name": "Charlie", "rank": 2}]}', 'STRUCT<teacher: STRING, student: ARRAY<STRUCT<name: STRING, rank: INT>>>');

-- function: from_protobuf
SELECT from_protobuf(s, 'Person', '/path/to/descriptor.desc', map()) IS NULL AS result FROM (SELECT NAMED_STRUCT('name', name, 'id', id) AS s FROM VALUES ('John Doe', 1), (NULL,  2) tab(name, id));

-- function: from_unixtime
SELECT from_unixtime(0, 'yyyy-MM-dd HH:mm:ss');

-- function: from_unixtime
SELECT from_unixtime(0);

-- function: from_utc_timestamp
SELECT from_utc_timestamp('2016-08-31', 'Asia/Seoul');

-- function: from_xml
SELECT from_xml('<p><a>1</a><b>0.8</b></p>', 'a INT, b DOUBLE');

-- function: from_xml
SELECT from_xml('<p><time>26/08/2015</time></p>', 'time Timestamp', map('timestampFormat', 'dd/MM/yyyy'));

-- function: from_xml
SELECT from_xml('<p><teacher>Alice</teacher><student><name>Bob</name><rank>1</rank></student><student><name>Charlie</name><rank>2</rank></student></p>', 'STRUCT<teacher: STRING, student: ARRAY<STRUCT<name: STRING, rank: INT>>>');

