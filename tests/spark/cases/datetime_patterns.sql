-- Spark's datetime patterns when parsing (sql-ref-datetime-pattern): fields a pattern leaves out
-- take 1970-01-01 00:00:00, two-digit years are 20xx, hh without a is AM.
select to_date("16", "dd");
select to_timestamp("2019 40", "yyyy mm");
select to_timestamp("2019 10:10:10", "yyyy hh:mm:ss");
select to_timestamp('99', 'yy');
select to_timestamp('365', 'DDD');
select to_timestamp('12-31-365', 'MM-dd-DDD');
select to_timestamp('2024-01', 'yyyy-MM');
select to_date('2016-12-31', 'yyyy-MM-dd');
select to_timestamp('2016-12-31 00:12:00');
select to_timestamp('2019-10-06 10:11:12.123', 'yyyy-MM-dd HH:mm:ss.SSS');
select to_timestamp('10:11 PM', 'hh:mm a');
select to_date('2024-13-01', 'yyyy-MM-dd');
