-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: if
SELECT if(1 < 2, 'a', 'b');

-- function: ifnull
SELECT ifnull(NULL, array('2'));

-- function: ilike
SELECT ilike('Spark', '_Park');

-- function: ilike
SELECT '\\abc' AS S, S ilike r'\\abc', S ilike '\\\\abc';

-- function: ilike
SET spark.sql.parser.escapedStringLiterals=true;

-- function: ilike
SELECT '%SystemDrive%\Users\John' ilike '\%SystemDrive\%\\users%';

-- function: ilike
SET spark.sql.parser.escapedStringLiterals=false;

-- function: ilike
SELECT '%SystemDrive%\\USERS\\John' ilike r'%SystemDrive%\\Users%';

-- function: ilike
SELECT '%SystemDrive%/Users/John' ilike '/%SYSTEMDrive/%//Users%' ESCAPE '/';

-- function: in
SELECT 1 in(1, 2, 3);

-- function: in
SELECT 1 in(2, 3, 4);

-- function: in
SELECT named_struct('a', 1, 'b', 2) in(named_struct('a', 1, 'b', 1), named_struct('a', 1, 'b', 3));

-- function: in
SELECT named_struct('a', 1, 'b', 2) in(named_struct('a', 1, 'b', 2), named_struct('a', 1, 'b', 3));

-- function: initcap
SELECT initcap('sPark sql');

-- function: inline
SELECT inline(array(struct(1, 'a'), struct(2, 'b')));

-- function: inline
SELECT inline(input => array(struct(1, 'a'), struct(2, 'b')));

-- function: inline_outer
SELECT inline_outer(array(struct(1, 'a'), struct(2, 'b')));

-- function: inline_outer
SELECT inline_outer(input => array(struct(1, 'a'), struct(2, 'b')));

-- function: instr
SELECT instr('SparkSQL', 'SQL');

-- function: instr
SELECT instr('abcabc', 'b', 1);

-- function: instr
SELECT instr('abcabc', 'b', 1, 2);

-- function: instr
SELECT instr('abcabc', 'b', -1, 1);

-- function: is_valid_utf8
SELECT is_valid_utf8('Spark');

-- function: is_valid_utf8
SELECT is_valid_utf8(x'61');

-- function: is_valid_utf8
SELECT is_valid_utf8(x'80');

-- function: is_valid_utf8
SELECT is_valid_utf8(x'61C262');

-- function: is_valid_variant
SELECT is_valid_variant(parse_json('null'));

-- function: is_valid_variant
SELECT is_valid_variant(parse_json('[{"b":true,"a":0}]'));

-- function: is_variant_null
SELECT is_variant_null(parse_json('null'));

-- function: is_variant_null
SELECT is_variant_null(parse_json('"null"'));

-- function: is_variant_null
SELECT is_variant_null(parse_json('13'));

-- function: is_variant_null
SELECT is_variant_null(parse_json(null));

-- function: is_variant_null
SELECT is_variant_null(variant_get(parse_json('{"a":null, "b":"spark"}'), "$.c"));

-- function: is_variant_null
SELECT is_variant_null(variant_get(parse_json('{"a":null, "b":"spark"}'), "$.a"));

-- function: isnan
SELECT isnan(cast('NaN' as double));

-- function: isnotnull
SELECT isnotnull(1);

-- function: isnull
SELECT isnull(1);

