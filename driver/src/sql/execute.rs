//! Running the statements of the Spark statement layer ([`super::SparkStatement`]):
//! configuration (`SET`/`RESET`), temporary views and data sources, catalog listings and
//! caching. Queries and DDL that DataFusion understands go through [`Session::sql`] instead.

use std::sync::Arc;

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::SparkStatement;
use crate::error::{EmberError, Result};
use crate::session::{DataFrame, Session};

impl Session {
    /// Runs one statement of the Spark statement layer.
    pub(crate) async fn run_spark_statement(&self, statement: SparkStatement) -> Result<DataFrame> {
        match statement {
            SparkStatement::CreateView { sql } => {
                let plan = self.inner.ctx.state().create_logical_plan(&sql).await?;
                self.inner.ctx.execute_logical_plan(plan).await?;
                Ok(DataFrame::empty())
            }
            SparkStatement::CreateViewUsing {
                name,
                replace,
                format,
                options,
            } => {
                let source = crate::datasource::DataSource::new(&format, options)?;
                let ctx = &self.inner.ctx;
                if ctx.table_exist(name.as_str())? {
                    if !replace {
                        return Err(EmberError::Plan(datafusion::error::DataFusionError::Plan(
                            format!(
                                "[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view `{name}` because it already exists"
                            ),
                        )));
                    }
                    ctx.deregister_table(name.as_str())?;
                }
                source.register(ctx, &name).await?;
                Ok(DataFrame::empty())
            }
            SparkStatement::CacheTable { name, query } => {
                let select = match &query {
                    Some(q) => q.clone(),
                    None => format!("SELECT * FROM {name}"),
                };
                let df = Box::pin(self.sql(&select)).await?;
                let schema = df.schema();
                let batches = df.collect().await?;
                let table = datafusion::datasource::MemTable::try_new(schema, vec![batches])?;
                let ctx = &self.inner.ctx;
                let previous = if ctx.table_exist(name.as_str())? {
                    ctx.deregister_table(name.as_str())?
                } else {
                    None
                };
                ctx.register_table(name.as_str(), Arc::new(table))?;
                if query.is_none()
                    && let Some(previous) = previous
                    && let Ok(mut cached) = self.inner.cached.lock()
                {
                    cached.entry(name).or_insert(previous);
                }
                Ok(DataFrame::empty())
            }
            SparkStatement::UncacheTable { name, if_exists } => {
                let previous = self
                    .inner
                    .cached
                    .lock()
                    .ok()
                    .and_then(|mut c| c.remove(&name));
                match previous {
                    Some(provider) => {
                        self.inner.ctx.deregister_table(name.as_str())?;
                        self.inner.ctx.register_table(name.as_str(), provider)?;
                    }
                    None if !if_exists && !self.inner.ctx.table_exist(name.as_str())? => {
                        return Err(EmberError::Plan(datafusion::error::DataFusionError::Plan(
                            format!(
                                "[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found"
                            ),
                        )));
                    }
                    None => {}
                }
                Ok(DataFrame::empty())
            }
            SparkStatement::CreateDatabase {
                name,
                if_not_exists,
            } => {
                let clause = if if_not_exists { "IF NOT EXISTS " } else { "" };
                let sql = format!("CREATE SCHEMA {clause}datafusion.{}", schema_name(&name));
                let plan = self.inner.ctx.state().create_logical_plan(&sql).await?;
                self.inner.ctx.execute_logical_plan(plan).await?;
                Ok(DataFrame::empty())
            }
            SparkStatement::Use(name) => {
                let schema = schema_name(&name);
                let exists = self
                    .inner
                    .ctx
                    .catalog("datafusion")
                    .is_some_and(|c| c.schema(&schema).is_some());
                if !exists {
                    return Err(EmberError::Plan(datafusion::error::DataFusionError::Plan(
                        format!("[SCHEMA_NOT_FOUND] The schema `{name}` cannot be found"),
                    )));
                }
                let state = self.inner.ctx.state_ref();
                state
                    .write()
                    .config_mut()
                    .options_mut()
                    .catalog
                    .default_schema = schema;
                Ok(DataFrame::empty())
            }
            SparkStatement::Explain(sql) => Box::pin(self.sql(&sql)).await,
            SparkStatement::ShowTables => {
                let current = self
                    .inner
                    .ctx
                    .state()
                    .config()
                    .options()
                    .catalog
                    .default_schema
                    .clone();
                let mut names: Vec<String> = self
                    .inner
                    .ctx
                    .catalog("datafusion")
                    .and_then(|c| c.schema(&current))
                    .map(|s| s.table_names())
                    .unwrap_or_default();
                names.sort();
                let display = names.clone();
                let rows: Vec<Vec<String>> = names
                    .into_iter()
                    .map(|n| vec![String::new(), n, "true".to_string()])
                    .collect();
                string_table(&["namespace", "tableName", "isTemporary"], rows)
                    .map(|df| df.with_display(display))
            }
            SparkStatement::ShowDatabases => {
                let mut names: Vec<String> = self
                    .inner
                    .ctx
                    .catalog("datafusion")
                    .map(|c| c.schema_names())
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| s != "information_schema")
                    .map(|s| {
                        if s == "public" {
                            "default".to_string()
                        } else {
                            s
                        }
                    })
                    .collect();
                names.sort();
                string_table(&["namespace"], names.into_iter().map(|n| vec![n]).collect())
            }
            SparkStatement::ShowColumns(name) => {
                let schema = self.table_schema(&name).await?;
                let rows = schema
                    .fields()
                    .iter()
                    .map(|f| vec![f.name().clone()])
                    .collect();
                string_table(&["col_name"], rows)
            }
            SparkStatement::Describe(name) => {
                let schema = self.table_schema(&name).await?;
                let rows: Vec<Vec<String>> = schema
                    .fields()
                    .iter()
                    .map(|f| {
                        vec![
                            f.name().clone(),
                            crate::format::spark_type_name(f.data_type()),
                            "NULL".to_string(),
                        ]
                    })
                    .collect();
                let display = rows
                    .iter()
                    .map(|r: &Vec<String>| format!("{:<20}\t{:<20}\t{:<20}", r[0], r[1], ""))
                    .collect();
                string_table(&["col_name", "data_type", "comment"], rows)
                    .map(|df| df.with_display(display))
            }
            SparkStatement::Invalid(message) => Err(EmberError::Plan(
                datafusion::error::DataFusionError::Plan(message),
            )),
            other => self.run_set(other),
        }
    }

    /// Runs `SET` / `RESET`, returning Spark's `key`/`value` rows.
    fn run_set(&self, statement: SparkStatement) -> Result<DataFrame> {
        let mut rows: Vec<(String, String)> = Vec::new();
        let snapshot = {
            let mut conf = self.lock_conf();
            match statement {
                SparkStatement::SetList => {
                    rows = conf
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect();
                }
                SparkStatement::SetShow(key) => {
                    let value = conf
                        .get_or_default(&key)
                        .unwrap_or("<undefined>")
                        .to_string();
                    rows.push((key, value));
                }
                SparkStatement::Set(key, value) => {
                    conf.set(&key, &value)?;
                    rows.push((key, value));
                }
                SparkStatement::Reset(None) => *conf = self.inner.initial_conf.clone(),
                SparkStatement::Reset(Some(key)) => {
                    conf.remove(&key);
                    if let Some(v) = self.inner.initial_conf.get(&key) {
                        conf.set(&key, v)?;
                    }
                }
                _ => {}
            }
            conf.clone()
        };
        self.apply_conf(&snapshot)?;
        Ok(DataFrame::local(key_value_batch(rows)?))
    }

    /// The schema of a registered table or view, with Spark's error for a missing one.
    async fn table_schema(&self, name: &str) -> Result<SchemaRef> {
        match self.inner.ctx.table(name).await {
            Ok(df) => Ok(Arc::new(df.schema().as_arrow().clone())),
            Err(_) => Err(EmberError::Plan(datafusion::error::DataFusionError::Plan(
                format!("[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found"),
            ))),
        }
    }

    /// Plans `sql` whose direct file references were replaced by temporary tables: the tables
    /// are registered for planning and removed again (the plan keeps their providers).
    pub(crate) async fn sql_over_files(
        &self,
        sql: &str,
        files: Vec<(String, crate::datasource::DataSource)>,
    ) -> Result<DataFrame> {
        let ctx = &self.inner.ctx;
        let mut registered = Vec::new();
        let mut result = Ok(());
        for (name, source) in &files {
            result = source.register(ctx, name).await;
            if result.is_err() {
                break;
            }
            registered.push(name.clone());
        }
        let planned = match result {
            Ok(()) => Box::pin(self.sql(sql)).await,
            Err(e) => Err(e),
        };
        for name in registered {
            let _ = ctx.deregister_table(name.as_str());
        }
        planned
    }
}

/// Spark's `default` database is DataFusion's `public` schema.
fn schema_name(database: &str) -> String {
    if database.eq_ignore_ascii_case("default") {
        "public".to_string()
    } else {
        database.to_ascii_lowercase()
    }
}

/// A result of string columns (`NULL` cells as the text `NULL` are real nulls).
fn string_table(columns: &[&str], rows: Vec<Vec<String>>) -> Result<DataFrame> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(*c, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<arrow::array::ArrayRef> = (0..columns.len())
        .map(|i| {
            Arc::new(StringArray::from_iter(
                rows.iter()
                    .map(|r| r.get(i).filter(|v| *v != "NULL").cloned()),
            )) as arrow::array::ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_new(Arc::clone(&schema), arrays)
        .map_err(datafusion::error::DataFusionError::from)?;
    Ok(DataFrame::Local {
        schema,
        batches: vec![batch],
        display: None,
    })
}

fn key_value_batch(rows: Vec<(String, String)>) -> Result<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
    ]));
    let keys = StringArray::from_iter_values(rows.iter().map(|(k, _)| k.as_str()));
    let values = StringArray::from_iter_values(rows.iter().map(|(_, v)| v.as_str()));
    Ok(
        RecordBatch::try_new(schema, vec![Arc::new(keys), Arc::new(values)])
            .map_err(datafusion::error::DataFusionError::from)?,
    )
}
