-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: e
SELECT e();

-- function: element_at
SELECT element_at(array(1, 2, 3), 2);

-- function: element_at
SELECT element_at(map(1, 'a', 2, 'b'), 2);

-- function: elt
SELECT elt(1, 'scala', 'java');

-- function: elt
SELECT elt(2, 'a', 1);

-- function: encode
SELECT encode('abc', 'utf-8');

-- function: endswith
SELECT endswith('Spark SQL', 'SQL');

-- function: endswith
SELECT endswith('Spark SQL', 'Spark');

-- function: endswith
SELECT endswith('Spark SQL', null);

-- function: endswith
SELECT endswith(x'537061726b2053514c', x'537061726b');

-- function: endswith
SELECT endswith(x'537061726b2053514c', x'53514c');

-- function: equal_null
SELECT equal_null(3, 3);

-- function: equal_null
SELECT equal_null(1, '11');

-- function: equal_null
SELECT equal_null(true, NULL);

-- function: equal_null
SELECT equal_null(NULL, 'abc');

-- function: equal_null
SELECT equal_null(NULL, NULL);

-- function: every
SELECT every(col) FROM VALUES (true), (true), (true) AS tab(col);

-- function: every
SELECT every(col) FROM VALUES (NULL), (true), (true) AS tab(col);

-- function: every
SELECT every(col) FROM VALUES (true), (false), (true) AS tab(col);

-- function: exists
SELECT exists(array(1, 2, 3), x -> x % 2 == 0);

-- function: exists
SELECT exists(array(1, 2, 3), x -> x % 2 == 10);

-- function: exists
SELECT exists(array(1, null, 3), x -> x % 2 == 0);

-- function: exists
SELECT exists(array(0, null, 2, 3, null), x -> x IS NULL);

-- function: exists
SELECT exists(array(1, 2, 3), x -> x IS NULL);

-- function: exp
SELECT exp(0);

-- function: explode
SELECT explode(array(10, 20));

-- function: explode
SELECT explode(collection => array(10, 20));

-- function: explode_outer
SELECT explode_outer(array(10, 20));

-- function: explode_outer
SELECT explode_outer(collection => array(10, 20));

-- function: expm1
SELECT expm1(0);

-- function: extract
SELECT extract(YEAR FROM TIMESTAMP '2019-08-12 01:00:00.123456');

-- function: extract
SELECT extract(week FROM timestamp'2019-08-12 01:00:00.123456');

-- function: extract
SELECT extract(doy FROM DATE'2019-08-12');

-- function: extract
SELECT extract(SECONDS FROM timestamp'2019-10-01 00:00:01.000001');

-- function: extract
SELECT extract(days FROM interval 5 days 3 hours 7 minutes);

-- function: extract
SELECT extract(seconds FROM interval 5 hours 30 seconds 1 milliseconds 1 microseconds);

-- function: extract
SELECT extract(MONTH FROM INTERVAL '2021-11' YEAR TO MONTH);

-- function: extract
SELECT extract(MINUTE FROM INTERVAL '123 23:55:59.002001' DAY TO SECOND);

-- function: extract
SELECT extract(HOUR FROM time '09:08:01.000001');

-- function: extract
SELECT extract(MINUTE FROM time '09:08:01.000001');

-- function: extract
SELECT extract(SECOND FROM time '09:08:01.000001');

