//! Running the statements of the Spark statement layer ([`super::SparkStatement`]):
//! configuration (`SET`/`RESET`), temporary views and data sources, catalog listings and
//! caching. Queries and DDL that DataFusion understands go through [`Session::sql`] instead.

use std::sync::Arc;

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::SparkStatement;
use crate::catalog::schema_name;
use crate::error::{EmberError, Result};
use crate::session::{DataFrame, Session};

impl Session {
    /// Runs one statement of the Spark statement layer.
    pub(crate) async fn run_spark_statement(&self, statement: SparkStatement) -> Result<DataFrame> {
        match statement {
            SparkStatement::CreateView { sql } => {
                let plan = self.plan_sql(&sql).await?;
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
                super::tables::check_name(&name)?;
                let clause = if if_not_exists { "IF NOT EXISTS " } else { "" };
                let sql = format!("CREATE SCHEMA {clause}datafusion.{}", schema_name(&name));
                let plan = self.inner.ctx.state().create_logical_plan(&sql).await?;
                self.inner.ctx.execute_logical_plan(plan).await?;
                self.inner
                    .catalog
                    .create_database(&name.to_ascii_lowercase())?;
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
                let database = self.current_database();
                let mut names: Vec<String> = self
                    .inner
                    .ctx
                    .catalog("datafusion")
                    .and_then(|c| c.schema(&crate::catalog::schema_name(&database)))
                    .map(|s| s.table_names())
                    .unwrap_or_default();
                names.sort();
                let tables: Vec<String> = self
                    .inner
                    .catalog
                    .tables(&database)
                    .into_iter()
                    .map(|t| t.name)
                    .filter(|n| names.contains(n))
                    .collect();
                let mut rows: Vec<Vec<String>> = tables
                    .iter()
                    .map(|n| vec![database.clone(), n.clone(), "false".to_string()])
                    .collect();
                rows.extend(
                    names
                        .into_iter()
                        .filter(|n| !tables.contains(n))
                        .map(|n| vec![String::new(), n, "true".to_string()]),
                );
                // spark-sql prints the table names only.
                let display = rows.iter().map(|r| r[1].clone()).collect();
                typed_table(
                    &[
                        ("namespace", DataType::Utf8),
                        ("tableName", DataType::Utf8),
                        ("isTemporary", DataType::Boolean),
                    ],
                    rows,
                )
                .map(|df| df.with_display(display))
            }
            SparkStatement::ShowFunctions(pattern) => {
                let state = self.inner.ctx.state();
                let mut names: Vec<String> = state
                    .scalar_functions()
                    .keys()
                    .chain(state.aggregate_functions().keys())
                    .chain(state.window_functions().keys())
                    .map(|n| n.to_ascii_lowercase())
                    .collect();
                names.sort();
                names.dedup();
                if let Some(pattern) = pattern {
                    let matcher = spark_like_pattern(&pattern)?;
                    names.retain(|n| matcher.is_match(n));
                }
                string_table(&["function"], names.into_iter().map(|n| vec![n]).collect())
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
            SparkStatement::Describe { name, extended } => self.describe(&name, extended).await,
            SparkStatement::CreateTable(create) => self.create_table(*create).await,
            SparkStatement::Insert(insert) => self.insert(*insert).await,
            SparkStatement::InsertDirectory(insert) => self.insert_directory(*insert).await,
            SparkStatement::Drop {
                is_view,
                name,
                if_exists,
            } => self.drop_table(is_view, &name, if_exists),
            SparkStatement::Truncate(name) => self.truncate_table(&name),
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
        // As Spark does (spark.redaction.regex), secrets are not shown.
        for (key, value) in &mut rows {
            if crate::security::is_secret_key(key) {
                *value = "*********(redacted)".into();
            }
        }
        Ok(DataFrame::local(key_value_batch(rows)?))
    }

    /// `DESCRIBE [EXTENDED] name`: columns, the partition columns of a partitioned table and,
    /// when extended, the table's catalog details.
    async fn describe(&self, name: &str, extended: bool) -> Result<DataFrame> {
        let schema = self.table_schema(name).await?;
        let column = |f: &arrow::datatypes::Field| {
            vec![
                f.name().clone(),
                crate::format::spark_type_name(f.data_type()),
                "NULL".to_string(),
            ]
        };
        let mut rows: Vec<Vec<String>> = schema.fields().iter().map(|f| column(f)).collect();
        let meta = super::ddl::Cursor::new(name)
            .and_then(|mut c| c.table_name())
            .and_then(|table| self.catalog_table(&table));
        if let Some(meta) = &meta
            && !meta.partition_columns.is_empty()
        {
            rows.push(vec![
                "# Partition Information".into(),
                String::new(),
                String::new(),
            ]);
            rows.push(vec![
                "# col_name".into(),
                "data_type".into(),
                "comment".into(),
            ]);
            for p in &meta.partition_columns {
                if let Ok(f) = schema.field_with_name(p) {
                    rows.push(column(f));
                }
            }
        }
        if extended {
            rows.push(vec![String::new(), String::new(), String::new()]);
            rows.push(vec![
                "# Detailed Table Information".into(),
                String::new(),
                String::new(),
            ]);
            let detail = |k: &str, v: String| vec![k.to_string(), v, String::new()];
            match &meta {
                Some(meta) => {
                    rows.push(detail("Catalog", "spark_catalog".into()));
                    rows.push(detail("Database", meta.database.clone()));
                    rows.push(detail("Table", meta.name.clone()));
                    rows.push(detail(
                        "Type",
                        if meta.managed { "MANAGED" } else { "EXTERNAL" }.into(),
                    ));
                    rows.push(detail("Provider", meta.provider.clone()));
                    if let Some(comment) = &meta.comment {
                        rows.push(detail("Comment", comment.clone()));
                    }
                    rows.push(detail(
                        "Location",
                        format!("file:{}", meta.location.display()),
                    ));
                    if !meta.options.is_empty() {
                        let options = meta
                            .options
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        rows.push(detail("Storage Properties", format!("[{options}]")));
                    }
                    if !meta.partition_columns.is_empty() {
                        rows.push(detail("Partition Provider", "Catalog".into()));
                    }
                }
                None => {
                    rows.push(detail("Table", name.to_string()));
                    rows.push(detail("Type", "VIEW".into()));
                    rows.push(detail("Is Temporary", "true".into()));
                }
            }
        }
        let display = rows
            .iter()
            .map(|r: &Vec<String>| {
                let comment = if r[2] == "NULL" { "" } else { r[2].as_str() };
                format!("{:<20}\t{:<20}\t{:<20}", r[0], r[1], comment)
            })
            .collect();
        string_table(&["col_name", "data_type", "comment"], rows).map(|df| df.with_display(display))
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

/// Spark's `SHOW … LIKE` pattern: `*` is any text, `|` separates alternatives, case-insensitive.
fn spark_like_pattern(pattern: &str) -> Result<regex::Regex> {
    let alternatives: Vec<String> = pattern
        .split('|')
        .map(|p| {
            p.trim()
                .split('*')
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join(".*")
        })
        .collect();
    regex::Regex::new(&format!("(?i)^(?:{})$", alternatives.join("|")))
        .map_err(|e| EmberError::config("SHOW FUNCTIONS", pattern, e.to_string()))
}

/// A result of string columns (`NULL` cells as the text `NULL` are real nulls).
fn string_table(columns: &[&str], rows: Vec<Vec<String>>) -> Result<DataFrame> {
    let typed: Vec<(&str, DataType)> = columns.iter().map(|c| (*c, DataType::Utf8)).collect();
    typed_table(&typed, rows)
}

/// A local result from rows of text, each column cast to its type (`"true"` to a boolean).
fn typed_table(columns: &[(&str, DataType)], rows: Vec<Vec<String>>) -> Result<DataFrame> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(c, t)| Field::new(*c, t.clone(), true))
            .collect::<Vec<_>>(),
    ));
    let arrays = columns
        .iter()
        .enumerate()
        .map(|(i, (_, data_type))| {
            let text: arrow::array::ArrayRef = Arc::new(StringArray::from_iter(
                rows.iter()
                    .map(|r| r.get(i).filter(|v| *v != "NULL").cloned()),
            ));
            arrow::compute::cast(&text, data_type)
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(datafusion::error::DataFusionError::from)?;
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
