-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: xpath
SELECT xpath('<a><b>b1</b><b>b2</b><b>b3</b><c>c1</c><c>c2</c></a>','a/b/text()');

-- function: xpath
SELECT xpath('<a><b>b1</b><b>b2</b><b>b3</b><c>c1</c><c>c2</c></a>','a/b');

-- function: xpath_boolean
SELECT xpath_boolean('<a><b>1</b></a>','a/b');

-- function: xpath_double
SELECT xpath_double('<a><b>1</b><b>2</b></a>', 'sum(a/b)');

-- function: xpath_float
SELECT xpath_float('<a><b>1</b><b>2</b></a>', 'sum(a/b)');

-- function: xpath_int
SELECT xpath_int('<a><b>1</b><b>2</b></a>', 'sum(a/b)');

-- function: xpath_long
SELECT xpath_long('<a><b>1</b><b>2</b></a>', 'sum(a/b)');

-- function: xpath_number
SELECT xpath_number('<a><b>1</b><b>2</b></a>', 'sum(a/b)');

-- function: xpath_short
SELECT xpath_short('<a><b>1</b><b>2</b></a>', 'sum(a/b)');

-- function: xpath_string
SELECT xpath_string('<a><b>b</b><c>cc</c></a>','a/c');

-- function: xxhash64
SELECT xxhash64('Spark', array(123), 2);

