//! Running Spark's table statements: `CREATE TABLE`, `INSERT`, `INSERT OVERWRITE DIRECTORY`,
//! `DROP TABLE|VIEW` and `TRUNCATE TABLE`, over the persistent [`crate::catalog`] and the
//! distributed writes of [`crate::writes`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::{Column, DFSchema};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, cast, lit};
use datafusion::scalar::ScalarValue;

use super::ddl::{CreateTable, Insert, InsertDirectory, TableName};
use crate::catalog::{self, PROVIDERS, TableMeta, database_name, schema_name};
use crate::error::{EmberError, Result};
use crate::session::{DataFrame, Session};
use crate::writes::{SaveMode, WriteTarget};

/// The type a table stores for a query's column type: Arrow's view types become the plain
/// types every file format and reader agrees on.
fn storage_type(data_type: &DataType) -> DataType {
    match data_type {
        DataType::Utf8View | DataType::LargeUtf8 => DataType::Utf8,
        DataType::BinaryView | DataType::LargeBinary => DataType::Binary,
        DataType::List(f) | DataType::LargeList(f) | DataType::ListView(f) => {
            DataType::List(Arc::new(storage_field(f)))
        }
        DataType::Struct(fields) => {
            DataType::Struct(fields.iter().map(|f| storage_field(f)).collect())
        }
        DataType::Map(f, sorted) => DataType::Map(Arc::new(storage_field(f)), *sorted),
        other => other.clone(),
    }
}

fn storage_field(field: &Field) -> Field {
    Field::new(field.name(), storage_type(field.data_type()), true)
}

fn check_provider(provider: &str) -> Result<String> {
    let provider = provider.to_ascii_lowercase();
    if PROVIDERS.contains(&provider.as_str()) {
        Ok(provider)
    } else {
        Err(EmberError::analysis(format!(
            "[DATA_SOURCE_NOT_FOUND] Failed to find the data source: {provider}. Ember reads and writes parquet, csv and json"
        )))
    }
}

fn absolute(path: &str) -> Result<PathBuf> {
    let path = path.strip_prefix("file://").unwrap_or(path);
    let path = path.strip_prefix("file:").unwrap_or(path);
    std::path::absolute(path).map_err(|e| EmberError::io(format!("cannot resolve {path}"), e))
}

fn not_found(name: &str) -> EmberError {
    EmberError::analysis(format!(
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found. Verify the spelling and correctness of the schema and catalog."
    ))
}

/// Spark's rule for table names (they become folder names): letters, digits and `_`.
pub(crate) fn check_name(name: &str) -> Result<()> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(EmberError::analysis(format!(
            "[INVALID_SCHEMA_OR_RELATION_NAME] `{name}` is not a valid name for tables/schemas. Valid names only contain alphabet characters, numbers and _."
        )))
    }
}

/// True when the folder holds data files or folders.
fn has_data(location: &Path) -> bool {
    std::fs::read_dir(location)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            !name.starts_with('.') && !name.starts_with('_')
        })
}

/// A column of a plan's output, by position.
fn output_column(plan: &LogicalPlan, i: usize) -> Expr {
    let (qualifier, field) = plan.schema().qualified_field(i);
    Expr::Column(Column::new(qualifier.cloned(), field.name()))
}

impl Session {
    /// The current database, in Spark's naming.
    pub(crate) fn current_database(&self) -> String {
        let state = self.inner.ctx.state();
        database_name(&state.config().options().catalog.default_schema)
    }

    fn database_of(&self, name: &TableName) -> Result<String> {
        let database = name
            .database
            .clone()
            .unwrap_or_else(|| self.current_database());
        let exists = self
            .inner
            .ctx
            .catalog("datafusion")
            .is_some_and(|c| c.schema(&schema_name(&database)).is_some());
        if exists {
            Ok(database)
        } else {
            Err(EmberError::analysis(format!(
                "[SCHEMA_NOT_FOUND] The schema `{database}` cannot be found."
            )))
        }
    }

    /// The catalog table `name` refers to, if it is one.
    pub(crate) fn catalog_table(&self, name: &TableName) -> Option<TableMeta> {
        let database = self.database_of(name).ok()?;
        self.inner.catalog.table(&database, &name.table)
    }

    /// Plans the query of a `CREATE TABLE … AS` or an `INSERT`.
    async fn query_plan(&self, sql: &str) -> Result<LogicalPlan> {
        match Box::pin(self.sql(sql)).await? {
            DataFrame::Distributed { plan, .. } => Ok(plan),
            DataFrame::Local { .. } => Err(EmberError::analysis(
                "[PARSE_SYNTAX_ERROR] a table can only be written from a query",
            )),
        }
    }

    /// The schema of `(name type, …)` column definitions, typed as Spark's SQL types are.
    async fn schema_of_columns(&self, columns: &[super::ddl::ColumnDef]) -> Result<Schema> {
        let select = columns
            .iter()
            .map(|c| {
                format!(
                    "CAST(NULL AS {}) AS `{}`",
                    c.data_type,
                    c.name.replace('`', "``")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let state = self.inner.ctx.state();
        let plan = state
            .create_logical_plan(&format!("SELECT {select}"))
            .await?;
        Ok(Schema::new(
            plan.schema()
                .fields()
                .iter()
                .map(|f| storage_field(f))
                .collect::<Vec<_>>(),
        ))
    }

    /// `CREATE TABLE`.
    pub(crate) async fn create_table(&self, create: CreateTable) -> Result<DataFrame> {
        check_name(&create.name.table)?;
        let database = self.database_of(&create.name)?;
        let name = create.name.table.clone();
        if let Some(existing) = self.inner.catalog.table(&database, &name) {
            if create.if_not_exists {
                return Ok(DataFrame::empty());
            }
            if create.or_replace {
                // Spark's session catalog cannot replace a file-source table either.
                return Err(EmberError::analysis(format!(
                    "[UNSUPPORTED_FEATURE.TABLE_OPERATION] The feature is not supported: Table `spark_catalog`.`{}`.`{}` does not support REPLACE TABLE. Drop it first.",
                    existing.database, existing.name
                )));
            }
            return Err(EmberError::analysis(format!(
                "[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create table or view `{database}`.`{name}` because it already exists."
            )));
        }
        let default_provider = self
            .conf()
            .get_or_default("spark.sql.sources.default")
            .unwrap_or("parquet")
            .to_string();
        let provider = check_provider(create.provider.as_deref().unwrap_or(&default_provider))?;
        let mut options = create.options.clone();
        let location = create.location.clone().or_else(|| options.remove("path"));
        let managed = location.is_none();
        let location = match &location {
            Some(l) => absolute(l)?,
            None => self.inner.catalog.default_location(&database, &name),
        };
        let mut meta = TableMeta {
            database: database.clone(),
            name: name.clone(),
            provider,
            options,
            partition_columns: Vec::new(),
            location: location.clone(),
            managed,
            comment: create.comment.clone(),
            schema: Schema::empty(),
        };
        if (managed || create.query.is_some()) && has_data(&location) {
            return Err(EmberError::analysis(format!(
                "[LOCATION_ALREADY_EXISTS] Cannot name the managed table as `spark_catalog`.`{database}`.`{name}`, as its associated location '{}' already exists. Please pick a different table name, or remove the existing location first.",
                location.display()
            )));
        }
        if let Some(query) = &create.query {
            if !create.columns.is_empty() {
                return Err(EmberError::analysis(
                    "[PARSE_SYNTAX_ERROR] Operation not allowed: Schema may not be specified in a Create Table As Select (CTAS) statement.",
                ));
            }
            let plan = self.query_plan(query).await?;
            let names: Vec<String> = plan
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            let order = partition_order(&names, &create.partition_by)?;
            let fields: Vec<Field> = order
                .iter()
                .map(|i| storage_field(plan.schema().field(*i)))
                .collect();
            let exprs: Vec<Expr> = order
                .iter()
                .zip(&fields)
                .map(|(i, f)| cast(output_column(&plan, *i), f.data_type().clone()).alias(f.name()))
                .collect();
            let plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
            meta.partition_columns = partition_names(&fields, create.partition_by.len());
            meta.schema = Schema::new(fields);
            let target = WriteTarget {
                location: location.clone(),
                format: meta.provider.clone(),
                options: meta.options.clone(),
                partition_columns: meta.partition_columns.len(),
                mode: SaveMode::Overwrite,
            };
            if let Err(e) = self.write_plan(plan, &target).await {
                if managed {
                    let _ = std::fs::remove_dir_all(&location);
                }
                return Err(e);
            }
        } else if !create.columns.is_empty() {
            let schema = self.schema_of_columns(&create.columns).await?;
            let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            let order = partition_order(&names, &create.partition_by)?;
            let fields: Vec<Field> = order.iter().map(|i| schema.field(*i).clone()).collect();
            meta.partition_columns = partition_names(&fields, create.partition_by.len());
            meta.schema = Schema::new(fields);
            std::fs::create_dir_all(&location)
                .map_err(|e| EmberError::io(format!("cannot create {}", location.display()), e))?;
        } else if !managed {
            meta.schema = self.infer_table_schema(&meta, &create.partition_by).await?;
            meta.partition_columns = create.partition_by.clone();
        } else {
            return Err(EmberError::analysis(format!(
                "[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for {}. It must be specified manually.",
                meta.provider
            )));
        }
        self.inner.catalog.save(&meta)?;
        catalog::register(&meta, &self.inner.ctx)?;
        Ok(DataFrame::empty())
    }

    /// The schema of an external table's existing files; partition columns (named in
    /// `PARTITIONED BY`) are typed from their folder values.
    async fn infer_table_schema(
        &self,
        meta: &TableMeta,
        partition_by: &[String],
    ) -> Result<Schema> {
        let mut options = meta.options.clone();
        options.insert(
            "path".to_string(),
            meta.location.to_string_lossy().into_owned(),
        );
        let source = crate::datasource::DataSource::new(&meta.provider, options)?;
        let temp = format!("__ember_infer_{}", uuid::Uuid::new_v4().simple());
        source.register(&self.inner.ctx, &temp).await?;
        let files = self.inner.ctx.table_provider(temp.as_str()).await;
        self.inner.ctx.deregister_table(temp.as_str())?;
        let files = files?.schema();
        let mut fields: Vec<Field> = files
            .fields()
            .iter()
            .filter(|f| {
                !partition_by
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(f.name()))
            })
            .map(|f| storage_field(f))
            .collect();
        for (depth, column) in partition_by.iter().enumerate() {
            fields.push(Field::new(
                column,
                partition_value_type(&meta.location, depth, column),
                true,
            ));
        }
        Ok(Schema::new(fields))
    }

    /// Removes a catalog table: its registration, its definition and, when managed, its data.
    fn drop_catalog_table(&self, meta: &TableMeta) -> Result<()> {
        if let Some(schema) = self
            .inner
            .ctx
            .catalog("datafusion")
            .and_then(|c| c.schema(&schema_name(&meta.database)))
        {
            schema.deregister_table(&meta.name)?;
        }
        if let Ok(mut cached) = self.inner.cached.lock() {
            cached.remove(&meta.name);
        }
        self.inner.catalog.remove(&meta.database, &meta.name)?;
        if meta.managed && meta.location.exists() {
            std::fs::remove_dir_all(&meta.location).map_err(|e| {
                EmberError::io(format!("cannot remove {}", meta.location.display()), e)
            })?;
        }
        Ok(())
    }

    /// `DROP TABLE|VIEW [IF EXISTS] name`.
    pub(crate) fn drop_table(
        &self,
        is_view: bool,
        name: &TableName,
        if_exists: bool,
    ) -> Result<DataFrame> {
        let temp_view = name.database.is_none()
            && self.inner.ctx.table_exist(name.table.as_str())?
            && self.catalog_table(name).is_none();
        if temp_view {
            self.inner.ctx.deregister_table(name.table.as_str())?;
            if let Ok(mut cached) = self.inner.cached.lock() {
                cached.remove(&name.table);
            }
            return Ok(DataFrame::empty());
        }
        match self.catalog_table(name) {
            Some(meta) if is_view => Err(EmberError::analysis(format!(
                "[EXPECT_VIEW_NOT_TABLE.NO_ALTERNATIVE] The table `{}`.`{}` does not support DROP VIEW. Please use DROP TABLE instead.",
                meta.database, meta.name
            ))),
            Some(meta) => {
                self.drop_catalog_table(&meta)?;
                Ok(DataFrame::empty())
            }
            None if if_exists => Ok(DataFrame::empty()),
            None if is_view => Err(EmberError::analysis(format!(
                "[VIEW_NOT_FOUND] The view `{name}` cannot be found. Verify the spelling and correctness of the schema and catalog."
            ))),
            None => Err(not_found(&name.to_string())),
        }
    }

    /// The catalog table an `INSERT` or `TRUNCATE` writes to, with Spark's errors otherwise.
    fn writable_table(&self, name: &TableName) -> Result<TableMeta> {
        if let Some(meta) = self.catalog_table(name) {
            return Ok(meta);
        }
        if self.inner.ctx.table_exist(name.table.as_str())? {
            return Err(EmberError::analysis(format!(
                "[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE] `{name}` is a temporary view, and writes expect a table. Create a table with CREATE TABLE … USING to write to it."
            )));
        }
        Err(not_found(&name.to_string()))
    }

    /// `TRUNCATE TABLE name`.
    pub(crate) fn truncate_table(&self, name: &TableName) -> Result<DataFrame> {
        let meta = self.writable_table(name)?;
        if !meta.managed {
            return Err(EmberError::analysis(format!(
                "[CANNOT_TRUNCATE_EXTERNAL_TABLE] Cannot truncate the external table `{}`.`{}`.",
                meta.database, meta.name
            )));
        }
        crate::writes::truncate(&meta.location)?;
        Ok(DataFrame::empty())
    }

    /// `INSERT INTO|OVERWRITE [TABLE] t [PARTITION (…)] [(cols)] query`.
    pub(crate) async fn insert(&self, insert: Insert) -> Result<DataFrame> {
        let meta = self.writable_table(&insert.table)?;
        let plan = self.query_plan(&insert.query).await?;
        if insert.overwrite && reads_table(&plan, &meta) {
            return Err(EmberError::analysis(format!(
                "[UNSUPPORTED_OVERWRITE.TABLE] Can't overwrite the target that is also being read from. The target is `spark_catalog`.`{}`.`{}`.",
                meta.database, meta.name
            )));
        }
        let fields = meta.schema.fields();
        let partition_start = fields.len() - meta.partition_columns.len();
        // Static partition values, typed; and the folder prefix they pin down.
        let mut statics: Vec<Option<Expr>> = vec![None; fields.len()];
        for (column, value) in &insert.partition {
            let Some(i) = meta
                .partition_columns
                .iter()
                .position(|p| p.eq_ignore_ascii_case(column))
                .map(|p| partition_start + p)
            else {
                return Err(EmberError::analysis(format!(
                    "[PARTITIONS_NOT_FOUND] The partition column `{column}` is not a partition column of `{}`.`{}`.",
                    meta.database, meta.name
                )));
            };
            if let Some(value) = value {
                let parsed = self.inner.ctx.parse_sql_expr(value, &DFSchema::empty())?;
                statics[i] = Some(cast(parsed, fields[i].data_type().clone()));
            }
        }
        // Spark: static partition values come first (`PARTITION (p='x', q)`, not `(p, q='x')`).
        let spec_static: Vec<bool> = meta
            .partition_columns
            .iter()
            .map(|c| {
                insert
                    .partition
                    .iter()
                    .any(|(p, v)| p.eq_ignore_ascii_case(c) && v.is_some())
            })
            .collect();
        if spec_static.windows(2).any(|w| !w[0] && w[1]) {
            return Err(EmberError::analysis(
                "[PARSE_SYNTAX_ERROR] Dynamic partition columns must come after the static ones in PARTITION (…).",
            ));
        }
        let all_static = !spec_static.is_empty() && spec_static.iter().all(|s| *s);
        let wanted: Vec<usize> = (0..fields.len())
            .filter(|i| statics[*i].is_none())
            .collect();
        let data_columns = plan.schema().fields().len();
        let expected = if insert.columns.is_empty() {
            wanted.len()
        } else {
            insert.columns.len()
        };
        if data_columns != expected {
            let reason = if data_columns < expected {
                "NOT_ENOUGH_DATA_COLUMNS"
            } else {
                "TOO_MANY_DATA_COLUMNS"
            };
            let table_columns = wanted
                .iter()
                .map(|i| format!("`{}`", fields[*i].name()))
                .collect::<Vec<_>>()
                .join(", ");
            let query_columns = plan
                .schema()
                .fields()
                .iter()
                .map(|f| format!("`{}`", f.name()))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(EmberError::analysis(format!(
                "[INSERT_COLUMN_ARITY_MISMATCH.{reason}] Cannot write to `spark_catalog`.`{}`.`{}`, the reason is {}: Table columns: {table_columns}. Data columns: {query_columns}.",
                meta.database,
                meta.name,
                reason.to_ascii_lowercase().replace('_', " ")
            )));
        }
        for column in &insert.columns {
            if !wanted
                .iter()
                .any(|i| fields[*i].name().eq_ignore_ascii_case(column))
            {
                return Err(EmberError::analysis(format!(
                    "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `{column}` cannot be resolved."
                )));
            }
        }
        let mut exprs = Vec::with_capacity(fields.len());
        let mut next = 0;
        for (i, field) in fields.iter().enumerate() {
            let value = if let Some(value) = &statics[i] {
                value.clone()
            } else if insert.columns.is_empty() {
                next += 1;
                output_column(&plan, next - 1)
            } else {
                match insert
                    .columns
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(field.name()))
                {
                    Some(p) => output_column(&plan, p),
                    None => lit(ScalarValue::Null),
                }
            };
            exprs.push(cast(value, field.data_type().clone()).alias(field.name()));
        }
        let plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
        let mode = if !insert.overwrite {
            SaveMode::Append
        } else if let Some(prefix) = self.static_prefix(&meta, &statics, partition_start).await? {
            if insert.if_not_exists && has_data(&meta.location.join(&prefix)) {
                // INSERT OVERWRITE … PARTITION (…) IF NOT EXISTS: the partition is there.
                return Ok(DataFrame::empty());
            }
            if self.dynamic_overwrite()? && !all_static {
                SaveMode::OverwriteWritten
            } else {
                SaveMode::OverwritePrefix(prefix)
            }
        } else if !meta.partition_columns.is_empty() && self.dynamic_overwrite()? {
            SaveMode::OverwriteWritten
        } else {
            SaveMode::Overwrite
        };
        let target = WriteTarget {
            location: meta.location.clone(),
            format: meta.provider.clone(),
            options: meta.options.clone(),
            partition_columns: meta.partition_columns.len(),
            mode,
        };
        self.write_plan(plan, &target).await?;
        Ok(DataFrame::empty())
    }

    fn dynamic_overwrite(&self) -> Result<bool> {
        let conf = self.conf();
        let mode = conf
            .get_or_default("spark.sql.sources.partitionOverwriteMode")
            .unwrap_or("static")
            .to_ascii_lowercase();
        match mode.as_str() {
            "static" => Ok(false),
            "dynamic" => Ok(true),
            other => Err(EmberError::config(
                "spark.sql.sources.partitionOverwriteMode",
                other,
                "expected static or dynamic",
            )),
        }
    }

    /// The folder (`p=x/q=y`) of the leading static partition values, if the first partition
    /// column is static.
    async fn static_prefix(
        &self,
        meta: &TableMeta,
        statics: &[Option<Expr>],
        partition_start: usize,
    ) -> Result<Option<String>> {
        let mut folders = Vec::new();
        for (i, name) in meta.partition_columns.iter().enumerate() {
            let Some(value) = &statics[partition_start + i] else {
                break;
            };
            let text = cast(value.clone(), DataType::Utf8).alias("v");
            let plan = LogicalPlanBuilder::empty(true)
                .project(vec![text])?
                .build()?;
            let batches = self
                .inner
                .ctx
                .execute_logical_plan(plan)
                .await?
                .collect()
                .await?;
            let value = batches
                .first()
                .and_then(|b| {
                    arrow::array::cast::AsArray::as_string_opt::<i32>(b.column(0)).and_then(|a| {
                        arrow::array::Array::is_valid(a, 0).then(|| a.value(0).to_string())
                    })
                })
                .filter(|v| !v.is_empty());
            let value = match value {
                Some(v) => ember_executor::write::escape_path_name(&v),
                None => ember_executor::write::DEFAULT_PARTITION_NAME.to_string(),
            };
            folders.push(format!(
                "{}={value}",
                ember_executor::write::escape_path_name(name)
            ));
        }
        Ok((!folders.is_empty()).then(|| folders.join("/")))
    }

    /// `INSERT OVERWRITE [LOCAL] DIRECTORY 'path' USING fmt [OPTIONS] query`.
    pub(crate) async fn insert_directory(&self, insert: InsertDirectory) -> Result<DataFrame> {
        let format = check_provider(&insert.provider)?;
        let location = absolute(&insert.path)?;
        let plan = self.query_plan(&insert.query).await?;
        let mut options = insert.options.clone();
        options.remove("path");
        let target = WriteTarget {
            location,
            format,
            options,
            partition_columns: 0,
            mode: SaveMode::Overwrite,
        };
        self.write_plan(plan, &target).await?;
        Ok(DataFrame::empty())
    }
}

/// True when `plan` scans the table `meta` (Spark refuses to overwrite what it reads, since the
/// files it reads would be replaced while the query runs).
fn reads_table(plan: &LogicalPlan, meta: &TableMeta) -> bool {
    use datafusion::common::tree_node::TreeNodeRecursion;
    let schema = schema_name(&meta.database);
    let mut found = false;
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && scan.table_name.table() == meta.name
            && scan.table_name.schema().is_none_or(|s| s == schema)
        {
            found = true;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

/// The positions of a query's columns in table order: data columns, then the partition
/// columns in `PARTITIONED BY` order.
fn partition_order(names: &[String], partition_by: &[String]) -> Result<Vec<usize>> {
    let mut partition_positions = Vec::with_capacity(partition_by.len());
    for p in partition_by {
        match names.iter().position(|n| n.eq_ignore_ascii_case(p)) {
            Some(i) => partition_positions.push(i),
            None => {
                return Err(EmberError::analysis(format!(
                    "[COLUMN_NOT_DEFINED_IN_TABLE] partition column `{p}` is not defined in table, defined table columns are: {}.",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    if partition_positions.len() == names.len() && !names.is_empty() {
        return Err(EmberError::analysis(
            "[ALL_PARTITION_COLUMNS_NOT_ALLOWED] Cannot use all columns for partition columns.",
        ));
    }
    let mut order: Vec<usize> = (0..names.len())
        .filter(|i| !partition_positions.contains(i))
        .collect();
    order.extend(partition_positions);
    Ok(order)
}

fn partition_names(fields: &[Field], count: usize) -> Vec<String> {
    fields[fields.len() - count..]
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

/// The type of a partition column from its folder values at `depth`: `int` when every value
/// is an integer (as Spark infers), else `string`.
fn partition_value_type(location: &Path, depth: usize, column: &str) -> DataType {
    let mut folders = vec![location.to_path_buf()];
    for _ in 0..=depth {
        folders = folders
            .iter()
            .flat_map(|f| std::fs::read_dir(f).into_iter().flatten().flatten())
            .filter(|e| e.path().is_dir())
            .map(|e| e.path())
            .collect();
    }
    let prefix = format!("{column}=");
    let values: Vec<String> = folders
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter_map(|n| n.strip_prefix(&prefix).map(str::to_string))
        .filter(|v| v != ember_executor::write::DEFAULT_PARTITION_NAME)
        .collect();
    if !values.is_empty() && values.iter().all(|v| v.parse::<i32>().is_ok()) {
        DataType::Int32
    } else if !values.is_empty() && values.iter().all(|v| v.parse::<i64>().is_ok()) {
        DataType::Int64
    } else {
        DataType::Utf8
    }
}
