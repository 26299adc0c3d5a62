-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: get
SELECT get(array(1, 2, 3), 0);

-- function: get
SELECT get(array(1, 2, 3), 3);

-- function: get
SELECT get(array(1, 2, 3), -1);

-- function: get_json_object
SELECT get_json_object('{"a":"b"}', '$.a');

-- function: get_json_object
SELECT get_json_object('[{"a":"b"},{"a":"c"}]', '$[0].a');

-- function: get_json_object
SELECT get_json_object('[{"a":"b"},{"a":"c"}]', '$[*].a');

-- function: getbit
SELECT getbit(11, 0);

-- function: getbit
SELECT getbit(11, 2);

-- function: greatest
SELECT greatest(10, 9, 2, 4, 3);

-- function: grouping
SELECT name, grouping(name), sum(age) FROM VALUES (2, 'Alice'), (5, 'Bob') people(age, name) GROUP BY cube(name);

-- function: grouping_id
SELECT name, grouping_id(), sum(age), avg(height) FROM VALUES (2, 'Alice', 165), (5, 'Bob', 180) people(age, name, height) GROUP BY cube(name, height);

