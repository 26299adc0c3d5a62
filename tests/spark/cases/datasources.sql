-- Data sources: USING ... OPTIONS and direct file references. ${DATA} is tests/spark/data.
CREATE TEMPORARY VIEW people USING csv OPTIONS (path '${DATA}/people.csv', header 'true');
SELECT * FROM people ORDER BY name;
SELECT name, age FROM people WHERE age IS NOT NULL ORDER BY name;
CREATE OR REPLACE TEMPORARY VIEW people USING csv OPTIONS (path '${DATA}/people.csv', header 'true', inferSchema 'true');
SELECT name, age + 1 FROM people ORDER BY age;
SELECT count(*), sum(age), avg(age) FROM people;
CREATE TEMPORARY VIEW raw USING csv OPTIONS (path '${DATA}/noheader.csv', sep ';');
SELECT _c0, _c1 FROM raw ORDER BY _c0;
CREATE TEMPORARY VIEW pj USING json OPTIONS (path '${DATA}/people.json');
SELECT name, age FROM pj ORDER BY name;
CREATE TEMPORARY VIEW pq USING parquet OPTIONS (path '${DATA}/numbers.parquet');
SELECT count(*), sum(n), max(label) FROM pq;
SELECT label, count(*) FROM pq GROUP BY label ORDER BY label;
SELECT count(*) FROM parquet.`${DATA}/numbers.parquet`;
SELECT n FROM parquet.`${DATA}/numbers.parquet` WHERE n < 3 ORDER BY n;
SELECT count(*) FROM csv.`${DATA}/people.csv`;
CREATE TEMPORARY VIEW people USING csv OPTIONS (path '${DATA}/people.csv');
CREATE TEMPORARY VIEW missing USING parquet OPTIONS (path '${DATA}/does_not_exist');
