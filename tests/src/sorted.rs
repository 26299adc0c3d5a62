//! A sort larger than executor memory, checked as it streams: the memory tests sort all of
//! `lineitem` and must get every row back, in order, without holding the result.

use arrow::array::{Array, Int64Array, StringArray};
use arrow::datatypes::DataType;
use ember::Session;
use futures::StreamExt;

/// Rows and the sum of `l_orderkey` a sort returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortCheck {
    pub rows: i64,
    pub key_sum: i64,
}

/// Runs `SELECT {columns} FROM lineitem ORDER BY l_comment, l_orderkey, l_linenumber` and checks
/// each row against the previous one as batches arrive; then checks the row count and key sum
/// against the table's. `columns` must include the three sort columns.
///
/// # Panics
/// On an error, a row out of order or a count or sum that differs from the table's.
pub async fn sort_lineitem_checked(session: &Session, columns: &str) -> SortCheck {
    let totals = session
        .sql("SELECT count(*), sum(l_orderkey) FROM lineitem")
        .await
        .expect("plans")
        .collect()
        .await
        .expect("runs");
    let total = |i: usize| {
        totals[0]
            .column(i)
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("bigint")
            .value(0)
    };
    let expected = SortCheck {
        rows: total(0),
        key_sum: total(1),
    };
    let sql =
        format!("SELECT {columns} FROM lineitem ORDER BY l_comment, l_orderkey, l_linenumber");
    let mut stream = session
        .sql(&sql)
        .await
        .expect("plans")
        .execute_stream()
        .await
        .expect("the sort starts");
    let mut seen = SortCheck {
        rows: 0,
        key_sum: 0,
    };
    let mut last: Option<(String, i64, i64)> = None;
    while let Some(batch) = stream.next().await {
        let batch = batch.expect("sorted batch");
        let column = |name: &str, to: &DataType| {
            let column = batch.column_by_name(name).expect("sort column selected");
            arrow::compute::cast(column, to).expect("cast")
        };
        let (keys, lines) = (
            column("l_orderkey", &DataType::Int64),
            column("l_linenumber", &DataType::Int64),
        );
        let comments = column("l_comment", &DataType::Utf8);
        let keys = keys.as_any().downcast_ref::<Int64Array>().expect("bigint");
        let lines = lines.as_any().downcast_ref::<Int64Array>().expect("bigint");
        let comments = comments
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("string");
        assert_eq!(keys.null_count(), 0);
        for i in 0..batch.num_rows() {
            let row = (comments.value(i).to_string(), keys.value(i), lines.value(i));
            if let Some(previous) = &last {
                assert!(previous <= &row, "out of order: {previous:?} then {row:?}");
            }
            seen.key_sum += row.1;
            seen.rows += 1;
            last = Some(row);
        }
    }
    assert_eq!(seen, expected, "the sort lost or duplicated rows");
    seen
}
