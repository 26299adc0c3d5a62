//! Window functions that keep `IGNORE NULLS` and their evaluation direction on executors.
//!
//! DataFusion keeps a window function's `IGNORE NULLS`, and whether the optimizer runs it over
//! the reversed order of its input (to share a sort with another window), on its physical
//! expression; datafusion-proto carries neither for window functions written as UDWFs (`lag`,
//! `lead`, `first_value`, `nth_value`…): a task would compute `lag(x) IGNORE NULLS` as `lag(x)`,
//! and a reversed `lag` as `lead`. [`with_flagged_window_functions`] puts every call of DataFusion's
//! window functions on [`FlaggedWindow`], a wrapper that holds both flags itself (reversing it
//! flips its own flag) and that the executor codec carries after [`MARKER`].

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

/// What the executor codec writes for a [`FlaggedWindow`], followed by two bytes:
/// ignore nulls, reversed.
pub const MARKER: &[u8] = b"spark-window";

/// A window function evaluated with `IGNORE NULLS` or not, and reversed or not, whatever its
/// physical expression says after a trip through datafusion-proto.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FlaggedWindow {
    inner: Arc<WindowUDF>,
    ignore_nulls: bool,
    reversed: bool,
}

impl FlaggedWindow {
    fn udwf(inner: Arc<WindowUDF>, ignore_nulls: bool, reversed: bool) -> Arc<WindowUDF> {
        Arc::new(WindowUDF::new_from_impl(FlaggedWindow {
            inner,
            ignore_nulls,
            reversed,
        }))
    }

    fn builtin_function(name: &str) -> Option<Arc<WindowUDF>> {
        datafusion::functions_window::all_default_window_functions()
            .into_iter()
            .find(|f| f.name() == name)
    }

    /// The codec's bytes for `udwf`, if it is one of these wrappers.
    pub fn encode(udwf: &WindowUDF) -> Option<Vec<u8>> {
        let any: &dyn std::any::Any = udwf.inner().as_ref();
        any.downcast_ref::<FlaggedWindow>().map(|w| {
            let mut bytes = MARKER.to_vec();
            bytes.extend([u8::from(w.ignore_nulls), u8::from(w.reversed)]);
            bytes
        })
    }

    /// DataFusion's window function `name` wrapped as the codec's `bytes` say (how an executor
    /// rebuilds one it receives).
    pub fn decode(name: &str, bytes: &[u8]) -> Option<Arc<WindowUDF>> {
        let [ignore_nulls, reversed] = bytes.strip_prefix(MARKER)? else {
            return None;
        };
        let inner = Self::builtin_function(name)?;
        Some(Self::udwf(inner, *ignore_nulls == 1, *reversed == 1))
    }
}

impl WindowUDFImpl for FlaggedWindow {
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
                self.reversed,
                self.ignore_nulls,
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
            ReversedUDWF::Reversed(reversed) => ReversedUDWF::Reversed(FlaggedWindow::udwf(
                reversed,
                self.ignore_nulls,
                !self.reversed,
            )),
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

fn is_wrapped(udf: &WindowUDF) -> bool {
    let any: &dyn std::any::Any = udf.inner().as_ref();
    any.downcast_ref::<FlaggedWindow>().is_some()
}

/// `plan` with every call of one of DataFusion's window functions on an [`FlaggedWindow`] wrapper
/// that holds its `IGNORE NULLS`.
pub fn with_flagged_window_functions(plan: LogicalPlan) -> Result<LogicalPlan> {
    plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|expr| {
            expr.transform_up(|e| match e {
                Expr::WindowFunction(window) => {
                    let WindowFunction { fun, params } = *window;
                    match fun {
                        WindowFunctionDefinition::WindowUDF(udf)
                            if !is_wrapped(&udf)
                                && FlaggedWindow::builtin_function(udf.name()).is_some() =>
                        {
                            let ignore_nulls =
                                params.null_treatment == Some(NullTreatment::IgnoreNulls);
                            Ok(Transformed::yes(Expr::WindowFunction(Box::new(
                                WindowFunction {
                                    fun: WindowFunctionDefinition::WindowUDF(FlaggedWindow::udwf(
                                        udf,
                                        ignore_nulls,
                                        false,
                                    )),
                                    params,
                                },
                            ))))
                        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_survive_the_codec_and_reversal_flips_only_the_direction() -> Result<()> {
        let lag = FlaggedWindow::builtin_function("lag").expect("DataFusion's lag");
        let flagged = FlaggedWindow::udwf(lag, true, false);
        let bytes = FlaggedWindow::encode(&flagged).expect("a flagged window");
        assert_eq!(
            FlaggedWindow::decode("lag", &bytes),
            Some(Arc::clone(&flagged))
        );
        let ReversedUDWF::Reversed(reversed) = flagged.reverse_expr() else {
            panic!("lag reverses");
        };
        let bytes = FlaggedWindow::encode(&reversed).expect("a flagged window");
        assert_eq!(bytes[MARKER.len()..], [1, 1]);
        // Plain DataFusion functions and unknown names are not decoded as flagged ones.
        assert_eq!(FlaggedWindow::decode("lag", b"other"), None);
        assert_eq!(FlaggedWindow::decode("no_such_window", &bytes), None);
        Ok(())
    }
}
