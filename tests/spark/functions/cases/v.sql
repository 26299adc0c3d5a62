-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: validate_utf8
SELECT validate_utf8('Spark');

-- function: validate_utf8
SELECT validate_utf8(x'61');

-- function: var_pop
SELECT var_pop(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: var_samp
SELECT var_samp(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: variance
SELECT variance(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: variant_array_append
SELECT variant_array_append(parse_json('[1, 2, 3]'), '$', 4);

-- function: variant_array_append
SELECT variant_array_append(parse_json('{"a": [1, 2]}'), '$.a', 3);

-- function: variant_array_append
SELECT variant_array_append(parse_json('[1]'), '$', parse_json('[2, 3]'));

-- function: variant_array_append
SELECT variant_array_append(parse_json('{"a": 1}'), '$.missing', 2);

-- function: variant_array_append
SELECT variant_array_append(parse_json('[1, 2]'), '$', parse_json('null'));

-- function: variant_array_append
SELECT variant_array_append(parse_json('[1, 2]'), '$', null);

-- function: variant_delete
SELECT variant_delete(parse_json('{"a": 1, "b": 2, "c": 3, "items": [1, 2, 3]}'), NULL, '$.a', '$.c');

-- function: variant_delete
SELECT variant_delete(parse_json('{"a": 1, "b": 2, "c": 3, "items": [1, 2, 3]}'), '$.missing');

-- function: variant_delete
SELECT variant_delete(parse_json('{"a": 1, "b": 2, "c": 3, "items": [1, 2, 3]}'), '$.items[0]', '$.items[0]');

-- function: variant_delete
SELECT variant_delete(NULL, '$.a');

-- function: variant_explode
SELECT * from variant_explode(parse_json('["hello", "world"]'));

-- function: variant_explode
SELECT * from variant_explode(input => parse_json('{"a": true, "b": 3.14}'));

-- function: variant_explode_outer
SELECT * from variant_explode_outer(parse_json('["hello", "world"]'));

-- function: variant_explode_outer
SELECT * from variant_explode_outer(input => parse_json('{"a": true, "b": 3.14}'));

-- function: variant_get
SELECT variant_get(parse_json('{"a": 1}'), '$.a', 'int');

-- function: variant_get
SELECT variant_get(parse_json('{"a": 1}'), '$.b', 'int');

-- function: variant_get
SELECT variant_get(parse_json('[1, "2"]'), '$[1]', 'string');

-- function: variant_get
SELECT variant_get(parse_json('[1, "2"]'), '$[2]', 'string');

-- function: variant_get
SELECT variant_get(parse_json('[1, "hello"]'), '$[1]');

-- function: variant_insert
SELECT variant_insert(parse_json('{"a": 1}'), '$.b', 2);

-- function: variant_insert
SELECT variant_insert(parse_json('{}'), '$.a.b', 1);

-- function: variant_insert
SELECT variant_insert(parse_json('["a","b","c"]'), '$[1]', 'z');

-- function: variant_insert
SELECT variant_insert(parse_json('["a","b"]'), '$[5]', 'z');

-- function: variant_insert
SELECT variant_insert(parse_json('{}'), '$.a', parse_json('{"x":1}'));

-- function: variant_insert
SELECT variant_insert(parse_json('{}'), '$.a', parse_json('null'));

-- function: variant_insert
SELECT variant_insert(parse_json('{}'), '$.a', null);

-- function: variant_set
SELECT variant_set(parse_json('{"a": 1}'), '$.a', 2);

-- function: variant_set
SELECT variant_set(parse_json('{"a": 1}'), '$.b', 3);

-- function: variant_set
SELECT variant_set(parse_json('{"a": {"b": 1}}'), '$.a.c.d', 2);

-- function: variant_set
SELECT variant_set(parse_json('["a","b","c"]'), '$[1]', 'z');

-- function: variant_set
SELECT variant_set(parse_json('["a","b","c"]'), '$[5]', 'z');

-- function: variant_set
SELECT variant_set(parse_json('{"a": 1}'), '$.b', 2, false);

-- function: variant_set
SELECT variant_set(parse_json('{"a": 1}'), '$.a', parse_json('null'));

-- function: variant_set
SELECT variant_set(parse_json('{"a": 1}'), '$.a', null);

-- function: variant_strip_nulls
SELECT variant_strip_nulls(parse_json('{"a": 1, "b": null, "c": 3}'));

-- function: variant_strip_nulls
SELECT variant_strip_nulls(parse_json('[1, null, 3]'));

-- function: variant_strip_nulls
SELECT variant_strip_nulls(parse_json('{"a": {"b": null, "c": [1, null]}}'));

-- function: variant_strip_nulls
SELECT variant_strip_nulls(parse_json('{"a": [1, null], "b": null}'), false);

-- function: variant_strip_nulls
SELECT variant_strip_nulls(parse_json('{"a": null}'));

-- function: variant_strip_nulls
SELECT variant_strip_nulls(parse_json('null'));

-- function: variant_strip_nulls
SELECT variant_strip_nulls(NULL);

-- function: vector_avg
SELECT vector_avg(col) FROM VALUES (array(1.0F, 2.0F)), (array(3.0F, 4.0F)) AS tab(col);

-- function: vector_cosine_similarity
SELECT vector_cosine_similarity(array(1.0F, 2.0F, 3.0F), array(4.0F, 5.0F, 6.0F));

-- function: vector_inner_product
SELECT vector_inner_product(array(1.0F, 2.0F, 3.0F), array(4.0F, 5.0F, 6.0F));

-- function: vector_l2_distance
SELECT vector_l2_distance(array(1.0F, 2.0F, 3.0F), array(4.0F, 5.0F, 6.0F));

-- function: vector_norm
SELECT vector_norm(array(3.0F, 4.0F), 2.0F);

-- function: vector_norm
SELECT vector_norm(array(3.0F, 4.0F), 1.0F);

-- function: vector_norm
SELECT vector_norm(array(3.0F, 4.0F), float('inf'));

-- function: vector_normalize
SELECT vector_normalize(array(3.0F, 4.0F), 2.0F);

-- function: vector_normalize
SELECT vector_normalize(array(3.0F, 4.0F), 1.0F);

-- function: vector_normalize
SELECT vector_normalize(array(3.0F, 4.0F), float('inf'));

-- function: vector_sum
SELECT vector_sum(col) FROM VALUES (array(1.0F, 2.0F)), (array(3.0F, 4.0F)) AS tab(col);

