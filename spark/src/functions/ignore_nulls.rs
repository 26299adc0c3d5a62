//! `lag`/`lead`/`first_value`/`last_value`/`nth_value` with `IGNORE NULLS`, on executors too.
//!
//! DataFusion keeps a window function's `IGNORE NULLS` on its physical expression, and
//! datafusion-proto does not carry it for window functions written as UDWFs (all of these): a
//! task would compute `lag(x) IGNORE NULLS` as `lag(x)`. [`with_ignore_nulls_functions`] puts
//! such calls on [`IgnoreNulls`], a wrapper that always evaluates with nulls ignored and that the
//! executor codec recognises by [`MARKER`].

use std::sync::Arc;

use arrow::compute::SortOptions;
use arrow::datatypes::{DataType, FieldRef};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::Result;
use datafusion::logical_expr::expr::{NullTreatment, WindowFunction, WindowFunctionDefinition};
use datafusion::logical_expr::function::{
    ExpressionArgs, PartitionEvaluatorArgs, WindowFunctionSimplification, WindowUDFFieldArgs,
};
use datafusion::logical_expr::{
    Documentation, Expr, LimitEffect, LogicalPlan, PartitionEvaluator, ReversedUDWF, Signature,
    WindowUDF, WindowUDFImpl,
};
use datafusion::physical_expr::PhysicalExpr;

/// What the executor codec writes for an [`IgnoreNulls`] window function.
pub const MARKER: &[u8] = b"spark-ignore-nulls";

/// A window function evaluated with `IGNORE NULLS`, whatever its call site says.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IgnoreNulls {
    inner: Arc<WindowUDF>,
}

impl IgnoreNulls {
    /// `inner` with nulls ignored, as a window function.
    pub fn udwf(inner: Arc<WindowUDF>) -> Arc<WindowUDF> {
        Arc::new(WindowUDF::new_from_impl(IgnoreNulls { inner }))
    }

    /// DataFusion's window function of this name with nulls ignored (how an executor rebuilds
    /// one it receives).
    pub fn builtin(name: &str) -> Option<Arc<WindowUDF>> {
        datafusion::functions_window::all_default_window_functions()
            .into_iter()
            .find(|f| f.name() == name)
            .map(IgnoreNulls::udwf)
    }
}

impl WindowUDFImpl for IgnoreNulls {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn expressions(&self, expr_args: ExpressionArgs) -> Vec<Arc<dyn PhysicalExpr>> {
        self.inner.expressions(expr_args)
    }

    fn partition_evaluator(
        &self,
        args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        self.inner
            .partition_evaluator_factory(PartitionEvaluatorArgs::new(
                args.input_exprs(),
                args.input_fields(),
                args.is_reversed(),
                true,
            ))
    }

    fn simplify(&self) -> Option<WindowFunctionSimplification> {
        None
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        self.inner.field(field_args)
    }

    fn sort_options(&self) -> Option<SortOptions> {
        self.inner.sort_options()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }

    fn reverse_expr(&self) -> ReversedUDWF {
        match self.inner.reverse_expr() {
            ReversedUDWF::Reversed(reversed) => ReversedUDWF::Reversed(IgnoreNulls::udwf(reversed)),
            other => other,
        }
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }

    fn limit_effect(&self, args: &[Arc<dyn PhysicalExpr>]) -> LimitEffect {
        self.inner.inner().limit_effect(args)
    }
}

/// Whether `udf` is an [`IgnoreNulls`] wrapper.
pub fn is_ignore_nulls(udf: &WindowUDF) -> bool {
    let any: &dyn std::any::Any = udf.inner().as_ref();
    any.downcast_ref::<IgnoreNulls>().is_some()
}

/// `plan` with every `f(…) IGNORE NULLS OVER …` of a window UDF calling [`IgnoreNulls`].
pub fn with_ignore_nulls_functions(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|expr| {
            expr.transform_up(|e| match e {
                Expr::WindowFunction(window)
                    if window.params.null_treatment == Some(NullTreatment::IgnoreNulls) =>
                {
                    let WindowFunction { fun, params } = *window;
                    match fun {
                        WindowFunctionDefinition::WindowUDF(udf) if !is_ignore_nulls(&udf) => Ok(
                            Transformed::yes(Expr::WindowFunction(Box::new(WindowFunction {
                                fun: WindowFunctionDefinition::WindowUDF(IgnoreNulls::udwf(udf)),
                                params,
                            }))),
                        ),
                        fun => Ok(Transformed::no(Expr::WindowFunction(Box::new(
                            WindowFunction { fun, params },
                        )))),
                    }
                }
                other => Ok(Transformed::no(other)),
            })
        })
    })
    .map(|t| t.data)
}
