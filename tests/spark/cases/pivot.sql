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
