-- Errors that must be reported, not crash.
SELECT * FROM no_such_table;
SELECT no_such_column FROM (VALUES (1)) AS t(a);
SELEC 1;
SELECT 1 +;
SELECT unknown_function(1);
SELECT CAST('x' AS DATE);
SELECT 1 / 0;
SELECT 2147483647 * 2;
CREATE TEMPORARY VIEW dup AS SELECT 1;
CREATE TEMPORARY VIEW dup AS SELECT 2;
SELECT a FROM (VALUES (1, 2)) AS t(a, a);
