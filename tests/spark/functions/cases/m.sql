-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: make_date
SELECT make_date(2013, 7, 15);

-- function: make_date
SELECT make_date(2019, 7, NULL);

-- function: make_dt_interval
SELECT make_dt_interval(1, 12, 30, 01.001001);

-- function: make_dt_interval
SELECT make_dt_interval(2);

-- function: make_dt_interval
SELECT make_dt_interval(100, null, 3);

-- function: make_interval
SELECT make_interval(100, 11, 1, 1, 12, 30, 01.001001);

-- function: make_interval
SELECT make_interval(100, null, 3);

-- function: make_interval
SELECT make_interval(0, 1, 0, 1, 0, 0, 100.000001);

-- function: make_time
SELECT make_time(6, 30, 45.887);

-- function: make_time
SELECT make_time(NULL, 30, 0);

-- function: make_timestamp
SELECT make_timestamp(2014, 12, 28, 6, 30, 45.887);

-- function: make_timestamp
SELECT make_timestamp(2014, 12, 28, 6, 30, 45.887, 'CET');

-- function: make_timestamp
SELECT make_timestamp(DATE'2014-12-28');

-- function: make_timestamp
SELECT make_timestamp(DATE'2014-12-28', TIME'6:30:45.887');

-- function: make_timestamp
SELECT make_timestamp(DATE'2014-12-28', TIME'6:30:45.887', 'CET');

-- function: make_timestamp_ltz
SELECT make_timestamp_ltz(2014, 12, 28, 6, 30, 45.887);

-- function: make_timestamp_ltz
SELECT make_timestamp_ltz(2014, 12, 28, 6, 30, 45.887, 'CET');

-- function: make_timestamp_ltz
SELECT make_timestamp_ltz(2019, 6, 30, 23, 59, 60);

-- function: make_timestamp_ltz
SELECT make_timestamp_ltz(null, 7, 22, 15, 30, 0);

-- function: make_timestamp_ltz
SELECT make_timestamp_ltz(DATE'2014-12-28', TIME'6:30:45.887');

-- function: make_timestamp_ltz
SELECT make_timestamp_ltz(DATE'2014-12-28', TIME'6:30:45.887', 'CET');

-- function: make_timestamp_ntz
SELECT make_timestamp_ntz(2014, 12, 28, 6, 30, 45.887);

-- function: make_timestamp_ntz
SELECT make_timestamp_ntz(2019, 6, 30, 23, 59, 60);

-- function: make_timestamp_ntz
SELECT make_timestamp_ntz(null, 7, 22, 15, 30, 0);

-- function: make_timestamp_ntz
SELECT make_timestamp_ntz(DATE'2014-12-28', TIME'6:30:45.887');

-- function: make_valid_utf8
SELECT make_valid_utf8('Spark');

-- function: make_valid_utf8
SELECT make_valid_utf8(x'61');

-- function: make_valid_utf8
SELECT make_valid_utf8(x'80');

-- function: make_valid_utf8
SELECT make_valid_utf8(x'61C262');

-- function: make_ym_interval
SELECT make_ym_interval(1, 2);

-- function: make_ym_interval
SELECT make_ym_interval(1, 0);

-- function: make_ym_interval
SELECT make_ym_interval(-1, 1);

-- function: make_ym_interval
SELECT make_ym_interval(2);

-- function: map
SELECT map(1.0, '2', 3.0, '4');

-- function: map_concat
SELECT map_concat(map(1, 'a', 2, 'b'), map(3, 'c'));

-- function: map_contains_key
SELECT map_contains_key(map(1, 'a', 2, 'b'), 1);

-- function: map_contains_key
SELECT map_contains_key(map(1, 'a', 2, 'b'), 3);

-- function: map_entries
SELECT map_entries(map(1, 'a', 2, 'b'));

-- function: map_filter
SELECT map_filter(map(1, 0, 2, 2, 3, -1), (k, v) -> k > v);

-- function: map_from_arrays
SELECT map_from_arrays(array(1.0, 3.0), array('2', '4'));

-- function: map_from_entries
SELECT map_from_entries(array(struct(1, 'a'), struct(2, 'b')));

-- function: map_keys
SELECT map_keys(map(1, 'a', 2, 'b'));

-- function: map_values
SELECT map_values(map(1, 'a', 2, 'b'));

-- function: map_zip_with
SELECT map_zip_with(map(1, 'a', 2, 'b'), map(1, 'x', 2, 'y'), (k, v1, v2) -> concat(v1, v2));

-- function: map_zip_with
SELECT map_zip_with(map('a', 1, 'b', 2), map('b', 3, 'c', 4), (k, v1, v2) -> coalesce(v1, 0) + coalesce(v2, 0));

-- function: mask
SELECT mask('abcd-EFGH-8765-4321');

-- function: mask
SELECT mask('abcd-EFGH-8765-4321', 'Q');

-- function: mask
SELECT mask('AbCD123-@$#', 'Q', 'q');

-- function: mask
SELECT mask('AbCD123-@$#');

-- function: mask
SELECT mask('AbCD123-@$#', 'Q');

-- function: mask
SELECT mask('AbCD123-@$#', 'Q', 'q');

-- function: mask
SELECT mask('AbCD123-@$#', 'Q', 'q', 'd');

-- function: mask
SELECT mask('AbCD123-@$#', 'Q', 'q', 'd', 'o');

-- function: mask
SELECT mask('AbCD123-@$#', NULL, 'q', 'd', 'o');

-- function: mask
SELECT mask('AbCD123-@$#', NULL, NULL, 'd', 'o');

-- function: mask
SELECT mask('AbCD123-@$#', NULL, NULL, NULL, 'o');

-- function: mask
SELECT mask(NULL, NULL, NULL, NULL, 'o');

-- function: mask
SELECT mask(NULL);

-- function: mask
SELECT mask('AbCD123-@$#', NULL, NULL, NULL, NULL);

-- function: max
SELECT max(col) FROM VALUES (10), (50), (20) AS tab(col);

-- function: max_by
SELECT max_by(x, y) FROM VALUES ('a', 10), ('b', 50), ('c', 20) AS tab(x, y);

-- function: max_by
SELECT max_by(x, y, 2) FROM VALUES ('a', 10), ('b', 50), ('c', 20) AS tab(x, y);

-- function: md5
SELECT md5('Spark');

-- function: mean
SELECT mean(col) FROM VALUES (1), (2), (3) AS tab(col);

-- function: mean
SELECT mean(col) FROM VALUES (1), (2), (NULL) AS tab(col);

-- function: measure
SELECT dimension_col, measure(measure_col) FROM test_metric_view GROUP BY dimension_col;

-- function: median
SELECT median(col) FROM VALUES (0), (10) AS tab(col);

-- function: median
SELECT median(col) FROM VALUES (INTERVAL '0' MONTH), (INTERVAL '10' MONTH) AS tab(col);

-- function: min
SELECT min(col) FROM VALUES (10), (-1), (20) AS tab(col);

-- function: min_by
SELECT min_by(x, y) FROM VALUES ('a', 10), ('b', 50), ('c', 20) AS tab(x, y);

-- function: min_by
SELECT min_by(x, y, 2) FROM VALUES ('a', 10), ('b', 50), ('c', 20) AS tab(x, y);

-- function: minute
SELECT minute('2009-07-30 12:58:59');

-- function: minute
SELECT minute(TIMESTAMP_NTZ '2009-07-30 12:58:59.123456789');

-- function: minute
SELECT minute(TIMESTAMP_LTZ '2009-07-30 12:58:59.123456789');

-- function: minute
SELECT minute(TIME'23:59:59.999999');

-- function: mod
SELECT 2 % 1.8;

-- function: mod
SELECT MOD(2, 1.8);

-- function: mode
SELECT mode(col) FROM VALUES (0), (10), (10) AS tab(col);

-- function: mode
SELECT mode(col) FROM VALUES (INTERVAL '0' MONTH), (INTERVAL '10' MONTH), (INTERVAL '10' MONTH) AS tab(col);

-- function: mode
SELECT mode(col) FROM VALUES (0), (10), (10), (null), (null), (null) AS tab(col);

-- function: mode
SELECT mode(col, false) FROM VALUES (-10), (0), (10) AS tab(col);

-- function: mode
SELECT mode(col, true) FROM VALUES (-10), (0), (10) AS tab(col);

-- function: mode
SELECT mode() WITHIN GROUP (ORDER BY col) FROM VALUES (0), (10), (10) AS tab(col);

-- function: mode
SELECT mode() WITHIN GROUP (ORDER BY col) FROM VALUES (0), (10), (10), (20), (20) AS tab(col);

-- function: mode
SELECT mode() WITHIN GROUP (ORDER BY col DESC) FROM VALUES (0), (10), (10), (20), (20) AS tab(col);

-- function: month
SELECT month('2016-07-30');

-- function: month
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: month
SELECT month(TIMESTAMP_NTZ '2016-07-30 12:00:00.123456789');

-- function: monthname
SELECT monthname('2008-02-20');

-- function: monthname
SET spark.sql.timestampNanosTypes.enabled=true;

-- function: monthname
SELECT monthname(TIMESTAMP_NTZ '2008-02-20 12:00:00.123456789');

-- function: months_between
SELECT months_between('1997-02-28 10:30:00', '1996-10-30');

-- function: months_between
SELECT months_between('1997-02-28 10:30:00', '1996-10-30', false);

