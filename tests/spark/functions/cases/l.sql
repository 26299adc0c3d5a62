-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: lag
SELECT a, b, lag(b) OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: last
SELECT last(col) FROM VALUES (10), (5), (20) AS tab(col);

-- function: last
SELECT last(col) FROM VALUES (10), (5), (NULL) AS tab(col);

-- function: last
SELECT last(col, true) FROM VALUES (10), (5), (NULL) AS tab(col);

-- function: last_day
SELECT last_day('2009-01-12');

-- function: last_value
SELECT last_value(col) FROM VALUES (10), (5), (20) AS tab(col);

-- function: last_value
SELECT last_value(col) FROM VALUES (10), (5), (NULL) AS tab(col);

-- function: last_value
SELECT last_value(col, true) FROM VALUES (10), (5), (NULL) AS tab(col);

-- function: lcase
SELECT lcase('SparkSql');

-- function: lead
SELECT a, b, lead(b) OVER (PARTITION BY a ORDER BY b) FROM VALUES ('A1', 2), ('A1', 1), ('A2', 3), ('A1', 1) tab(a, b);

-- function: least
SELECT least(10, 9, 2, 4, 3);

-- function: left
SELECT left('Spark SQL', 3);

-- function: left
SELECT left(encode('Spark SQL', 'utf-8'), 3);

-- function: len
SELECT len('Spark SQL ');

-- function: len
SELECT len(x'537061726b2053514c');

-- function: len
SELECT CHAR_LENGTH('Spark SQL ');

-- function: len
SELECT CHARACTER_LENGTH('Spark SQL ');

-- function: length
SELECT length('Spark SQL ');

-- function: length
SELECT length(x'537061726b2053514c');

-- function: length
SELECT CHAR_LENGTH('Spark SQL ');

-- function: length
SELECT CHARACTER_LENGTH('Spark SQL ');

-- function: levenshtein
SELECT levenshtein('kitten', 'sitting');

-- function: levenshtein
SELECT levenshtein('kitten', 'sitting', 2);

-- function: like
SELECT like('Spark', '_park');

-- function: like
SELECT '\\abc' AS S, S like r'\\abc', S like '\\\\abc';

-- function: like
SET spark.sql.parser.escapedStringLiterals=true;

-- function: like
SELECT '%SystemDrive%\Users\John' like '\%SystemDrive\%\\Users%';

-- function: like
SET spark.sql.parser.escapedStringLiterals=false;

-- function: like
SELECT '%SystemDrive%\\Users\\John' like r'%SystemDrive%\\Users%';

-- function: like
SELECT '%SystemDrive%/Users/John' like '/%SystemDrive/%//Users%' ESCAPE '/';

-- function: listagg
SELECT listagg(col) FROM VALUES ('a'), ('b'), ('c') AS tab(col);

-- function: listagg
SELECT listagg(col) WITHIN GROUP (ORDER BY col DESC) FROM VALUES ('a'), ('b'), ('c') AS tab(col);

-- function: listagg
SELECT listagg(col) FROM VALUES ('a'), (NULL), ('b') AS tab(col);

-- function: listagg
SELECT listagg(col) FROM VALUES ('a'), ('a') AS tab(col);

-- function: listagg
SELECT listagg(DISTINCT col) FROM VALUES ('a'), ('a'), ('b') AS tab(col);

-- function: listagg
SELECT listagg(col, ', ') FROM VALUES ('a'), ('b'), ('c') AS tab(col);

-- function: listagg
SELECT listagg(col) FROM VALUES (NULL), (NULL) AS tab(col);

-- function: ln
SELECT ln(1);

-- function: localtime
SELECT localtime();

-- function: localtime
SELECT localtime;

-- function: localtime
SELECT localtime(0);

-- function: localtime
SELECT localtime(3);

-- function: localtime
SELECT localtime(1+1);

-- function: locate
SELECT locate('bar', 'foobarbar');

-- function: locate
SELECT locate('bar', 'foobarbar', 5);

-- function: locate
SELECT POSITION('bar' IN 'foobarbar');

-- function: log
SELECT log(10, 100);

-- function: log10
SELECT log10(10);

-- function: log1p
SELECT log1p(0);

-- function: log2
SELECT log2(2);

-- function: lower
SELECT lower('SparkSql');

-- function: lpad
SELECT lpad('hi', 5, '??');

-- function: lpad
SELECT lpad('hi', 1, '??');

-- function: lpad
SELECT lpad('hi', 5);

-- function: lpad
SELECT hex(lpad(unhex('aabb'), 5));

-- function: lpad
SELECT hex(lpad(unhex('aabb'), 5, unhex('1122')));

-- function: ltrim
SELECT ltrim('    SparkSQL   ');

-- function: luhn_check
SELECT luhn_check('8112189876');

-- function: luhn_check
SELECT luhn_check('79927398713');

-- function: luhn_check
SELECT luhn_check('79927398714');

