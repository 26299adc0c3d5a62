-- Seeded random functions (Spark's function reference: rand, randn, random, uniform, randstr):
-- with a seed, one partition's numbers are Spark's. Every answer from JVM Spark.
SELECT rand(0), rand(42), rand(-7), randn(0), randn(42);
SELECT random(3), rand(NULL), randn(CAST(NULL AS BIGINT)), rand(9876543210);
SELECT rand(0) FROM range(0, 4, 1, 1);
SELECT randn(5) FROM range(0, 5, 1, 1);
SELECT typeof(rand()), rand() >= 0 AND rand() < 1, typeof(randn());
SELECT rand(1.5);
SELECT rand('1');
SELECT uniform(0, 10, 0), uniform(10, 20, 3), uniform(-20L, -10L, 0), uniform(1.5D, 2.5D, 8);
SELECT uniform(5, 7.5F, 1), uniform(CAST(1 AS DECIMAL(6, 2)), 3, 1), typeof(uniform(CAST(1 AS SMALLINT), CAST(5 AS TINYINT), 1));
SELECT uniform(0, 100, 11) FROM range(0, 4, 1, 1);
SELECT uniform(NULL, 5, 1), uniform(CAST(NULL AS INT), 5, 1), uniform(1, 5, NULL);
SELECT uniform(1, 5) BETWEEN 1 AND 5, typeof(uniform(1, 5));
SELECT uniform(1, 5, 1.0D);
SELECT uniform('a', 5, 1);
SELECT uniform(1, 2, 3, 4);
SELECT randstr(8, 0), randstr(3, 1), randstr(0, 5), randstr(NULL, 5), length(randstr(12));
SELECT randstr(6, 77) FROM range(0, 3, 1, 1);
SELECT randstr(-2, 0);
SELECT randstr(id, 0) FROM range(2);
-- range() whose column no one reads (the rows still count).
SELECT count(*) FROM range(10);
SELECT 'x' FROM range(0, 6, 2);
SELECT count(1) FROM range(1, 100, 1, 3) WHERE rand(1) >= 0;
