//! Quickstart: generate a small TPC-H `lineitem` table, then run TPC-H Q1 on the embedded default
//! master (`local[*]`: executors inside this process, with real stages and shuffle).
//!
//! ```text
//! cargo run -p ember --example quickstart [-- SCALE_FACTOR]
//! ```

use std::sync::Arc;

use arrow::util::pretty::pretty_format_batches;
use ember::Session;
use parquet::arrow::ArrowWriter;
use tpchgen::generators::LineItemGenerator;
use tpchgen_arrow::LineItemArrow;

const Q1: &str = "
select l_returnflag, l_linestatus,
       sum(l_quantity) as sum_qty,
       sum(l_extendedprice) as sum_base_price,
       sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
       sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
       avg(l_quantity) as avg_qty,
       avg(l_extendedprice) as avg_price,
       avg(l_discount) as avg_disc,
       count(*) as count_order
from lineitem
where l_shipdate <= date '1998-12-01' - interval '90' day
group by l_returnflag, l_linestatus
order by l_returnflag, l_linestatus";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scale: f64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()
        .map_err(|e| format!("scale factor: {e}"))?
        .unwrap_or(0.1);
    let dir = tempfile::tempdir()?;
    let table = dir.path().join("lineitem");
    std::fs::create_dir_all(&table)?;
    let started = std::time::Instant::now();
    let parts = 4;
    for part in 1..=parts {
        let batches = LineItemArrow::new(LineItemGenerator::new(scale, part, parts));
        let file = std::fs::File::create(table.join(format!("part-{part}.parquet")))?;
        let mut writer: Option<ArrowWriter<std::fs::File>> = None;
        let mut file = Some(file);
        for batch in batches {
            if writer.is_none() {
                let f = file.take().ok_or("file already used")?;
                writer = Some(ArrowWriter::try_new(f, Arc::clone(&batch.schema()), None)?);
            }
            if let Some(w) = writer.as_mut() {
                w.write(&batch)?;
            }
        }
        if let Some(w) = writer {
            w.close()?;
        }
    }
    eprintln!(
        "generated TPC-H lineitem at scale {scale} in {:?}",
        started.elapsed()
    );

    let session = Session::builder().master("local[*]").build().await?;
    session
        .sql(&format!(
            "CREATE EXTERNAL TABLE lineitem STORED AS PARQUET LOCATION '{}/'",
            table.display()
        ))
        .await?;
    let started = std::time::Instant::now();
    let df = session.sql(Q1).await?;
    println!("{}", df.stages().await?.display());
    let batches = df.collect().await?;
    println!("{}", pretty_format_batches(&batches)?);
    eprintln!(
        "TPC-H Q1 on {:?} took {:?}",
        session.master(),
        started.elapsed()
    );
    session.stop().await;
    Ok(())
}
