-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: zeroifnull
SELECT zeroifnull(NULL);

-- function: zeroifnull
SELECT zeroifnull(2);

-- function: zip_with
SELECT zip_with(array(1, 2, 3), array('a', 'b', 'c'), (x, y) -> (y, x));

-- function: zip_with
SELECT zip_with(array(1, 2), array(3, 4), (x, y) -> x + y);

-- function: zip_with
SELECT zip_with(array('a', 'b', 'c'), array('d', 'e', 'f'), (x, y) -> concat(x, y));

