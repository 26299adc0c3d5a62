//! Session variables: the values a session keeps for `DECLARE` / `SET VARIABLE` /
//! `DROP TEMPORARY VARIABLE` ([`ember_spark::parser::variables`] reads the statements), and
//! how queries read them: as DataFusion variables (`@name`), whose values planning puts in
//! the plan as literals, so executors never ask for them.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use arrow::array::Array;
use arrow::datatypes::DataType;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::var_provider::VarProvider;
use datafusion::scalar::ScalarValue;
use ember_spark::parser::variables::VariableStatement;

use crate::error::{EmberError, Result};
use crate::session::{DataFrame, Session};

/// The declared variables of one session, by lower-case name.
#[derive(Debug, Default)]
pub struct SessionVariables {
    values: RwLock<HashMap<String, ScalarValue>>,
}

fn plan_error(message: String) -> EmberError {
    EmberError::Plan(DataFusionError::Plan(message))
}

impl SessionVariables {
    fn get(&self, name: &str) -> Option<ScalarValue> {
        self.values.read().ok()?.get(name).cloned()
    }

    /// Whether `name` (lower case) is declared.
    pub fn contains(&self, name: &str) -> bool {
        self.values.read().is_ok_and(|v| v.contains_key(name))
    }

    /// Whether no variable is declared.
    pub fn is_empty(&self) -> bool {
        self.values.read().map_or(true, |v| v.is_empty())
    }

    fn set(&self, name: String, value: ScalarValue) {
        if let Ok(mut values) = self.values.write() {
            values.insert(name, value);
        }
    }

    fn remove(&self, name: &str) -> bool {
        self.values
            .write()
            .is_ok_and(|mut v| v.remove(name).is_some())
    }
}

impl VarProvider for SessionVariables {
    fn get_value(&self, var_names: Vec<String>) -> datafusion::error::Result<ScalarValue> {
        let name = var_names.first().map_or("", |n| n.trim_start_matches('@'));
        self.get(name).ok_or_else(|| {
            DataFusionError::Plan(format!(
                "[UNRESOLVED_VARIABLE] Cannot resolve variable `{name}` on search path \
                 `system`.`session`."
            ))
        })
    }

    fn get_type(&self, var_names: &[String]) -> Option<DataType> {
        let name = var_names.first()?.trim_start_matches('@');
        self.get(name).map(|v| v.data_type())
    }
}

impl Session {
    /// Runs a session variable statement.
    pub(crate) async fn run_variable_statement(
        &self,
        statement: VariableStatement,
    ) -> Result<DataFrame> {
        let variables = &self.inner.variables;
        match statement {
            VariableStatement::Declare {
                name,
                replace,
                data_type,
                default,
            } => {
                if variables.contains(&name) && !replace {
                    return Err(plan_error(format!(
                        "[VARIABLE_ALREADY_EXISTS] Cannot create the variable `system`.`session`.`{name}` because it already exists."
                    )));
                }
                let value = default.unwrap_or_else(|| "NULL".to_string());
                let select = match &data_type {
                    // DataFusion's SQL has no MAP type to cast to: the value keeps its own.
                    Some(t) if !t.to_ascii_uppercase().starts_with("MAP<") => {
                        format!("SELECT CAST(({value}) AS {t})")
                    }
                    _ => format!("SELECT ({value})"),
                };
                let value = self.single_value(&select).await?;
                variables.set(name, value);
            }
            VariableStatement::Set(assignments) => {
                let mut seen = HashSet::new();
                for (name, _) in &assignments {
                    if !seen.insert(name.clone()) {
                        return Err(plan_error(format!(
                            "[DUPLICATE_ASSIGNMENTS] The columns or variables `{name}` appear more than once as assignment targets."
                        )));
                    }
                }
                // Every value is computed before any is assigned, as Spark does.
                let mut values = Vec::new();
                for (name, expr) in assignments {
                    let current = variables.get(&name).ok_or_else(|| unresolved(&name))?;
                    let select = match current.data_type() {
                        DataType::Null | DataType::Map(..) => format!("SELECT ({expr})"),
                        t => format!(
                            "SELECT CAST(({expr}) AS {})",
                            ember_spark::format::spark_type_name(&t)
                        ),
                    };
                    values.push((name, self.single_value(&select).await?));
                }
                for (name, value) in values {
                    variables.set(name, value);
                }
            }
            VariableStatement::SetFromQuery { names, query } => {
                let mut types = Vec::new();
                for name in &names {
                    types.push(
                        variables
                            .get(name)
                            .ok_or_else(|| unresolved(name))?
                            .data_type(),
                    );
                }
                let batches = Box::pin(self.sql(&query)).await?.collect().await?;
                let columns = batches.first().map_or(0, |b| b.num_columns());
                let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
                if !batches.is_empty() && columns != names.len() {
                    return Err(plan_error(format!(
                        "[ASSIGNMENT_ARITY_MISMATCH] The number of columns or variables assigned or aliased: {} does not match the number of source expressions: {columns}.",
                        names.len()
                    )));
                }
                if rows > 1 {
                    return Err(plan_error(
                        "[ROW_SUBQUERY_TOO_MANY_ROWS] More than one row returned by a subquery used as a row."
                            .to_string(),
                    ));
                }
                let row = batches.iter().find(|b| b.num_rows() > 0);
                for (i, (name, data_type)) in names.into_iter().zip(types).enumerate() {
                    let value = match row {
                        Some(batch) => ScalarValue::try_from_array(batch.column(i).as_ref(), 0)?,
                        None => ScalarValue::try_from(&data_type)?,
                    };
                    let value = if data_type == DataType::Null {
                        value
                    } else {
                        value.cast_to(&data_type)?
                    };
                    variables.set(name, value);
                }
            }
            VariableStatement::Drop { name, if_exists } => {
                if !variables.remove(&name) && !if_exists {
                    return Err(plan_error(format!(
                        "[VARIABLE_NOT_FOUND] The variable `system`.`session`.`{name}` cannot be found."
                    )));
                }
            }
        }
        Ok(DataFrame::empty())
    }

    /// The one value a `SELECT` of one expression returns.
    async fn single_value(&self, select: &str) -> Result<ScalarValue> {
        let batches = Box::pin(self.sql(select)).await?.collect().await?;
        let batch = batches
            .iter()
            .find(|b| b.num_rows() > 0)
            .ok_or_else(|| plan_error(format!("no value from `{select}`")))?;
        let column = batch.column(0);
        if column.is_null(0) {
            return Ok(ScalarValue::try_from(column.data_type())?);
        }
        Ok(ScalarValue::try_from_array(column.as_ref(), 0)?)
    }
}

fn unresolved(name: &str) -> EmberError {
    plan_error(format!(
        "[UNRESOLVED_VARIABLE] Cannot resolve variable `{name}` on search path `system`.`session`."
    ))
}
