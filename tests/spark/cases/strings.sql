-- String functions.
SELECT upper('abc'), lower('ABC'), length('hello'), length('');
SELECT concat('a', 'b', 'c'), concat('a', NULL), concat_ws('-', 'a', 'b', NULL, 'c');
SELECT substring('Spark SQL', 5), substring('Spark SQL', -3), substring('Spark SQL', 2, 3);
SELECT substr('hello', 0, 2), substr('hello', 1, 2), substr('hello', -2, 1);
SELECT trim('  x  '), ltrim('  x'), rtrim('x  ');
SELECT lpad('7', 3, '0'), rpad('7', 3, '*'), lpad('hello', 3, '0');
SELECT replace('aaa', 'a', 'b'), reverse('abc'), repeat('ab', 3);
SELECT instr('hello', 'l'), locate('l', 'hello'), locate('l', 'hello', 4);
SELECT split('a,b,c', ','), size(split('a,b,c', ','));
SELECT initcap('hello world'), ascii('A'), chr(65);
SELECT 'abc' LIKE 'a%', 'abc' LIKE '_b_', 'abc' NOT LIKE 'b%';
SELECT 'Hello' RLIKE '^H.*o$', regexp_replace('a1b2c3', '[0-9]', '#');
SELECT regexp_extract('abc123def', '([a-z]+)([0-9]+)', 2);
SELECT left('hello', 2), right('hello', 2);
SELECT translate('abcd', 'ab', 'xy'), btrim('xxhixx', 'x');
SELECT md5('spark'), sha1('spark'), sha2('spark', 256);
SELECT crc32('spark');
SELECT 'a' || 'b' || 'c';
SELECT format_string('%d-%s', 5, 'x');
SELECT split_part('a.b.c', '.', 2);
SELECT char_length('héllo'), octet_length('héllo');
SELECT startswith('spark', 'sp'), endswith('spark', 'rk'), contains('spark', 'ar');
SELECT position('b' IN 'abc');
SELECT overlay('Spark SQL' PLACING '_' FROM 6);
SELECT space(3), concat('[', space(2), ']');
-- split by an empty pattern; LIKE/ILIKE with ANY, SOME, ALL (sql-ref-syntax-qry-select-like).
SELECT split('hello', ''), split('', ''), split('hello', '', 2);
SELECT 'foo' LIKE ANY ('%oo%', 'x'), 'foo' NOT LIKE ALL ('x%', NULL), 'Foo' ILIKE ALL ('f%', '%O'), 'foo' LIKE SOME ('z', NULL), 'foo' NOT LIKE ANY ('f%', 'x');
SELECT s FROM VALUES ('google'), ('facebook'), ('microsoft'), (NULL) AS t(s) WHERE s LIKE ANY ('%oo%', 'fa%') ORDER BY s;
SELECT s FROM VALUES ('google'), ('facebook'), ('microsoft'), (NULL) AS t(s) WHERE s NOT ILIKE ALL ('%OO%', 'fa%') ORDER BY s;
-- initcap starts words after spaces only.
SELECT initcap('foo-bar baz_qux'), initcap('sPARK sql'), initcap('  a  b'), initcap(''), initcap(NULL), initcap('élan vital');
