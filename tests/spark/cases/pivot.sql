-- PIVOT, percentile and SHOW FUNCTIONS.
CREATE TEMPORARY VIEW sales AS SELECT * FROM VALUES (2023, 'Q1', 10), (2023, 'Q2', 20), (2024, 'Q1', 5), (2024, 'Q1', 7), (2024, 'Q3', 1) AS sales(year, quarter, amount);
SELECT * FROM sales PIVOT (sum(amount) FOR quarter IN ('Q1', 'Q2', 'Q3')) ORDER BY year;
SELECT * FROM sales PIVOT (sum(amount) AS s, count(*) AS c FOR quarter IN ('Q1' AS first, 'Q2' AS second)) ORDER BY year;
SELECT * FROM (SELECT quarter, amount FROM sales) PIVOT (max(amount) FOR quarter IN ('Q1', 'Q3'));
SELECT year, Q1 FROM sales PIVOT (avg(amount) FOR quarter IN ('Q1')) WHERE year > 2023;
SELECT * FROM sales PIVOT (sum(amount) FOR year IN (2023, 2024)) ORDER BY quarter;
SELECT percentile(amount, 0.5), median(amount) FROM sales;
SELECT year, percentile(amount, 0.25) AS p25 FROM sales GROUP BY year ORDER BY year;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FROM sales;
SHOW FUNCTIONS LIKE 'ucase|lcase';
SHOW FUNCTIONS LIKE 'date_a*';
-- UNPIVOT (Spark's SQL reference, UNPIVOT clause): columns to rows, NULLs left out unless asked.
CREATE TEMPORARY VIEW quarters AS SELECT * FROM VALUES (2020, NULL, 1000, 2000, 2500), (2021, 2250, 3200, 4200, 5900), (2022, 4200, 3100, NULL, NULL) AS quarters(year, q1, q2, q3, q4);
SELECT * FROM quarters UNPIVOT (sales FOR quarter IN (q1, q2, q3, q4)) ORDER BY year, quarter;
SELECT * FROM quarters UNPIVOT INCLUDE NULLS (sales FOR quarter IN (q1 AS Q1, q2 AS Q2, q3 AS Q3, q4 AS Q4)) ORDER BY year, quarter;
SELECT * FROM quarters UNPIVOT EXCLUDE NULLS ((first, second) FOR half IN ((q1, q2) AS H1, (q3, q4) AS H2)) ORDER BY year, half;
SELECT year, quarter, sales FROM (SELECT year, q1, q2 FROM quarters WHERE year > 2020) UNPIVOT (sales FOR quarter IN (q1, q2)) AS u ORDER BY 1, 2;
SELECT quarter, sum(sales) FROM quarters UNPIVOT (sales FOR quarter IN (q1, q2, q3, q4)) GROUP BY quarter ORDER BY quarter;
SELECT * FROM quarters UNPIVOT ((a, b) FOR half IN ((q1, q2), (q3, q4))) ORDER BY year, half;
