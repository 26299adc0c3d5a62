-- Examples of Spark 4.3.0's built-in functions, from DESCRIBE FUNCTION EXTENDED (extract_examples.py).

-- function: !
SELECT ! true;

-- function: !
SELECT ! false;

-- function: !
SELECT ! NULL;

-- function: %
SELECT 2 % 1.8;

-- function: %
SELECT MOD(2, 1.8);

-- function: &
SELECT 3 & 5;

-- function: *
SELECT 2 * 3;

-- function: +
SELECT 1 + 2;

-- function: -
SELECT 2 - 1;

-- function: /
SELECT 3 / 2;

-- function: /
SELECT 2L / 2L;

-- function: <
SELECT 1 < 2;

-- function: <
SELECT 1.1 < '1';

-- function: <
SELECT to_date('2009-07-30 04:17:52') < to_date('2009-07-30 04:17:52');

-- function: <
SELECT to_date('2009-07-30 04:17:52') < to_date('2009-08-01 04:17:52');

-- function: <
SELECT 1 < NULL;

-- function: <<
SELECT shiftleft(2, 1);

-- function: <<
SELECT 2 << 1;

-- function: <=
SELECT 2 <= 2;

-- function: <=
SELECT 1.0 <= '1';

-- function: <=
SELECT to_date('2009-07-30 04:17:52') <= to_date('2009-07-30 04:17:52');

-- function: <=
SELECT to_date('2009-07-30 04:17:52') <= to_date('2009-08-01 04:17:52');

-- function: <=
SELECT 1 <= NULL;

-- function: <=>
SELECT 2 <=> 2;

-- function: <=>
SELECT 1 <=> '1';

-- function: <=>
SELECT true <=> NULL;

-- function: <=>
SELECT NULL <=> NULL;

-- function: =
SELECT 2 = 2;

-- function: =
SELECT 1 = '1';

-- function: =
SELECT true = NULL;

-- function: =
SELECT NULL = NULL;

-- function: ==
SELECT 2 == 2;

-- function: ==
SELECT 1 == '1';

-- function: ==
SELECT true == NULL;

-- function: ==
SELECT NULL == NULL;

-- function: >
SELECT 2 > 1;

-- function: >
SELECT 2 > 1.1;

-- function: >
SELECT to_date('2009-07-30 04:17:52') > to_date('2009-07-30 04:17:52');

-- function: >
SELECT to_date('2009-07-30 04:17:52') > to_date('2009-08-01 04:17:52');

-- function: >
SELECT 1 > NULL;

-- function: >=
SELECT 2 >= 1;

-- function: >=
SELECT 2.0 >= '2.1';

-- function: >=
SELECT to_date('2009-07-30 04:17:52') >= to_date('2009-07-30 04:17:52');

-- function: >=
SELECT to_date('2009-07-30 04:17:52') >= to_date('2009-08-01 04:17:52');

-- function: >=
SELECT 1 >= NULL;

-- function: >>
SELECT shiftright(4, 1);

-- function: >>
SELECT 4 >> 1;

-- function: >>>
SELECT shiftrightunsigned(4, 1);

-- function: >>>
SELECT 4 >>> 1;

-- function: ^
SELECT 3 ^ 5;

-- function: |
SELECT 3 | 5;

-- function: ~
SELECT ~ 0;

