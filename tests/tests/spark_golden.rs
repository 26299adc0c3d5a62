//! Ember against JVM Spark on the golden compatibility suite (`tests/spark/`).
//!
//! Every query must return the rows JVM Spark returned, except those listed with a reason in
//! `tests/spark/known_differences.tsv`; a listed query that now matches fails the test so that the
//! list stays true.

use std::collections::HashMap;

use ember::Session;
use ember_tests::golden::{Outcome, golden_files, known_differences, parse_golden, run_record};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spark_golden_suite_on_local() {
    golden_suite("local[2]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spark_golden_suite_on_local_cluster() {
    golden_suite("local-cluster[2,1,1024]").await;
}

async fn golden_suite(master: &str) {
    let known: HashMap<String, String> = known_differences().into_iter().collect();
    let (mut total, mut matched, mut names) = (0, 0, 0);
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    let mut report = Vec::new();
    for path in golden_files() {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let text = std::fs::read_to_string(&path).expect("read golden file");
        let session = Session::builder()
            .master(master)
            .config("spark.sql.shuffle.partitions", "4")
            .build()
            .await
            .expect("session starts");
        for record in parse_golden(&name, &text) {
            total += 1;
            let outcome = run_record(&session, &record).await;
            match (&outcome, known.contains_key(&record.id)) {
                (Outcome::Match { names_match }, listed) => {
                    matched += 1;
                    if *names_match {
                        names += 1;
                    }
                    if listed {
                        fixed.push(record.id.clone());
                    }
                }
                (Outcome::Differ(why), true) => report.push(format!("known {}: {why}", record.id)),
                (Outcome::Differ(why), false) => unexpected.push(format!(
                    "{}: {}\n    {why}",
                    record.id,
                    record.sql.replace('\n', " ")
                )),
            }
        }
        session.stop().await;
    }
    eprintln!(
        "Spark golden suite on {master}: {matched} of {total} statements match JVM Spark ({names} also with Spark's column names)"
    );
    for line in &report {
        eprintln!("  {line}");
    }
    assert!(
        unexpected.is_empty(),
        "{} statements differ from JVM Spark:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "now matching, remove from known_differences.tsv: {fixed:?}"
    );
}
