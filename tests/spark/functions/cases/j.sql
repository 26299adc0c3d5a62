-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: jaro_winkler_similarity
SELECT jaro_winkler_similarity('MARTHA', 'MARHTA');

-- function: jaro_winkler_similarity
SELECT jaro_winkler_similarity('kitten', 'sitting');

-- function: jaro_winkler_similarity
SELECT jaro_winkler_similarity('ABC', 'XYZ');

-- function: json_array_length
SELECT json_array_length('[1,2,3,4]');

-- function: json_array_length
SELECT json_array_length('[1,2,3,{"f1":1,"f2":[5,6]},4]');

-- function: json_array_length
SELECT json_array_length('[1,2');

-- function: json_object_keys
SELECT json_object_keys('{}');

-- function: json_object_keys
SELECT json_object_keys('{"key": "value"}');

-- function: json_object_keys
SELECT json_object_keys('{"f1":"abc","f2":{"f3":"a", "f4":"b"}}');

-- function: json_tuple
SELECT json_tuple('{"a":1, "b":2}', 'a', 'b');

